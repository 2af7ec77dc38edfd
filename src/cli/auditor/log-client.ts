/**
 * What the offline auditor asks of a server: only the public HTTP API, with an auditor's key.
 * Every answer is checked by the caller; nothing here is trusted.
 */
export class AuditFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuditFailure';
  }
}

export interface LogClient {
  text(path: string): Promise<string>;
  json<T>(path: string): Promise<T>;
}

export function logClient(server: string, key: string | undefined): LogClient {
  const base = server.replace(/\/+$/, '');
  const get = async (path: string): Promise<Response> => {
    let answer: Response;
    try {
      answer = await fetch(`${base}${path}`, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
    } catch (error) {
      throw new AuditFailure(`cannot reach ${base}: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!answer.ok) {
      const body = await answer.text();
      throw new AuditFailure(`GET ${path}: ${answer.status} ${body.slice(0, 300)}`);
    }
    return answer;
  };
  return {
    text: async (path) => (await get(path)).text(),
    json: async <T>(path: string) => (await (await get(path)).json()) as T,
  };
}
