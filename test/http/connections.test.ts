/**
 * The server's own limits, over real sockets (net.connect to the app listening on loopback):
 * requests whose headers or body never finish time out with 408, connections per client
 * address are capped (429), and the parser's refusals (400, 431) are problem+json too.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { buildTestApp } from './build-test-app.js';

async function listening(env: Record<string, string>) {
  const built = await buildTestApp(env);
  await built.app.listen({ port: 0, host: '127.0.0.1' });
  const address = built.app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');
  return { ...built, port: address.port };
}

interface RawAnswer {
  readonly status: number;
  readonly headers: string;
  readonly body: string;
  /** ms from the first byte written to the socket's close. */
  readonly closedAfterMs: number;
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Writes `sent` and reads until the server closes the connection (or `waitMs` passes). */
function exchange(socket: Socket, sent: string, waitMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => { received += chunk; });
    socket.on('error', () => undefined);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no close within ${waitMs} ms; got ${JSON.stringify(received)}`)); }, waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      const [head = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0);
      resolve({ status, headers: head, body, closedAfterMs: Date.now() - started });
    });
    if (sent !== '') socket.write(sent);
  });
}

function problemOf(answer: RawAnswer): { code?: string; status?: number } {
  return JSON.parse(answer.body) as { code?: string; status?: number };
}

t.test('a body that never finishes is cut off with 408 problem+json, and the server keeps answering', async (t) => {
  const { app, store, port } = await listening({ REQUEST_TIMEOUT_MS: '400', HEADERS_TIMEOUT_MS: '200', MAX_CONNECTIONS_PER_CLIENT: '0' });
  t.teardown(async () => { await app.close(); await store.close(); });

  // Headers done, a body promised and never sent: without a request timeout this waits for ever.
  const slowBodies = await Promise.all(Array.from({ length: 20 }, () => open(port)));
  const answers = slowBodies.map((socket) => exchange(socket,
    'POST /v1/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"projectId":'));
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  t.equal(health.status, 200, 'the server answers others meanwhile');
  for (const answer of await Promise.all(answers)) {
    t.equal(answer.status, 408, answer.headers);
    t.match(answer.headers, /content-type: application\/problem\+json/i);
    t.match(problemOf(answer), { status: 408, code: 'PIPELINE_REQUEST_TIMEOUT' });
  }

  // Headers that never end.
  const slowHeaders = await exchange(await open(port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
  t.equal(slowHeaders.status, 408);
  t.match(problemOf(slowHeaders), { code: 'PIPELINE_REQUEST_TIMEOUT' });
  t.equal(await store.headPosition(), 0, 'nothing appended');
});

t.test('the parser\'s refusals are problem+json: a malformed request 400, headers too large 431', async (t) => {
  const { app, store, port } = await listening({});
  t.teardown(async () => { await app.close(); await store.close(); });

  const garbage = await exchange(await open(port), 'HELLO THERE\r\n\r\n');
  t.equal(garbage.status, 400);
  t.match(garbage.headers, /content-type: application\/problem\+json/i);
  t.match(problemOf(garbage), { status: 400, code: 'PIPELINE_MALFORMED', type: /problem/, title: 'Malformed request' });

  const huge = await exchange(await open(port), `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  t.equal(huge.status, 431);
  t.match(huge.headers, /content-type: application\/problem\+json/i);
  t.match(problemOf(huge), { status: 431, code: 'PIPELINE_HEADERS_TOO_LARGE' });
});

t.test('connections per client address are capped; 0 lifts the cap', async (t) => {
  const { app, store, port } = await listening({ MAX_CONNECTIONS_PER_CLIENT: '5' });
  t.teardown(async () => { await app.close(); await store.close(); });

  const held = await Promise.all(Array.from({ length: 5 }, () => open(port)));
  const refused = await exchange(await open(port), '');
  t.equal(refused.status, 429, 'the sixth connection from one address');
  t.match(refused.headers, /content-type: application\/problem\+json/i);
  t.match(problemOf(refused), { status: 429, code: 'PIPELINE_TOO_MANY_CONNECTIONS' });

  const first = held.shift();
  const closed = new Promise((resolve) => first?.once('close', resolve));
  first?.destroy();
  await closed;
  await new Promise((resolve) => setTimeout(resolve, 50));
  const again = await exchange(await open(port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(again.status, 200, 'a closed connection frees its place');
  for (const socket of held) socket.destroy();

  const uncapped = await listening({ MAX_CONNECTIONS_PER_CLIENT: '0' });
  t.teardown(async () => { await uncapped.app.close(); await uncapped.store.close(); });
  const many = await Promise.all(Array.from({ length: 40 }, () => open(uncapped.port)));
  const answered = await exchange(await open(uncapped.port), 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  t.equal(answered.status, 200, 'behind a proxy: no cap');
  for (const socket of many) socket.destroy();
});
