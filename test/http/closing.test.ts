/**
 * A request that arrives while the server shuts down (pipelined on a kept-alive socket behind
 * one still in flight) is refused as the registry's 503 problem, not fastify's own JSON.
 */
import t from 'tap';
import net from 'node:net';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { buildApp } from '../../src/http/app.js';

t.test('a request arriving during shutdown is a 503 problem', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'off' }) });
  t.teardown(async () => { await store.close(); });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a port');

  const socket = net.connect(address.port, '127.0.0.1');
  let received = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => { received += chunk; });
  const ended = new Promise<void>((resolve) => { socket.on('close', () => resolve()); });
  await new Promise<void>((resolve) => { socket.on('connect', () => resolve()); });
  // The first waits for a position the read models never reach (up to 5 s), which holds the
  // socket busy through the close; the second comes on it once the close has begun.
  socket.write('GET /v1/stats/pipeline?regionCode=131121&minPosition=999999 HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 200));
  const closed = app.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await ended;
  await closed;

  const answers = received.split(/(?=HTTP\/1\.1 )/);
  t.equal(answers.length, 2, 'both requests were answered');
  const second = answers[1] ?? '';
  t.match(second, /^HTTP\/1\.1 503/, 'the second: 503');
  t.match(second, /content-type: application\/problem\+json/i, 'as a problem');
  t.match(second, /"code":"PIPELINE_NOT_READY"/);
  t.match(second, /shutting down/);
});
