/**
 * The API as the page calls it: same origin, the key as a bearer token, JSON answers, and
 * failures as ApiError (status 0 when the server could not be reached).
 */

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string | undefined, message: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export class Api {
  constructor(private readonly key: string) {}

  get<T>(path: string, query: Query = {}): Promise<T> {
    return this.call<T>('GET', path, query);
  }

  post<T>(path: string): Promise<T> {
    return this.call<T>('POST', path, {});
  }

  private async call<T>(method: 'GET' | 'POST', path: string, query: Query): Promise<T> {
    const url = withQuery(path, query);
    let answer: Response;
    try {
      answer = await fetch(url, { method, headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' }, cache: 'no-store' });
    } catch {
      throw new ApiError(0, undefined, '无法连接服务器');
    }
    if (!answer.ok) {
      const problem: unknown = await answer.json().catch(() => undefined);
      const code = typeof problem === 'object' && problem !== null ? Reflect.get(problem, 'code') : undefined;
      const detail = typeof problem === 'object' && problem !== null ? Reflect.get(problem, 'detail') : undefined;
      throw new ApiError(answer.status, typeof code === 'string' ? code : undefined, typeof detail === 'string' ? detail : `${method} ${path}: ${answer.status}`);
    }
    const body: T = await answer.json();
    return body;
  }
}

export function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, String(value));
  const search = params.toString();
  return search === '' ? path : `${path}?${search}`;
}
