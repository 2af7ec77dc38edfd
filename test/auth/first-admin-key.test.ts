import t from 'tap';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { pino } from 'pino';
import { bearer } from './auth-test-app.js';

async function start(dataDir: string, env: Record<string, string> = {}, store: EventStore = openEmbeddedStore({ path: join(dataDir, 'events.db') })) {
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'on', DATA_DIR: dataDir, ...env }) });
  await app.ready();
  return { app, store, stop: async () => { await app.close(); await store.close(); } };
}

const keyEvents = async (store: EventStore) => store.readAll({ filter: { streamPrefixes: ['key-'] } });

t.test('first start writes admin.key (0600); the second start reuses it', async (t) => {
  const dataDir = t.testdir();
  const first = await start(dataDir);
  const path = join(dataDir, 'admin.key');
  const secret = (await readFile(path, 'utf8')).trim();
  t.match(secret, /^xmk_[A-Za-z0-9_-]{43}$/);
  t.equal((await stat(path)).mode & 0o777, 0o600, 'readable by the owner only');
  t.equal((await first.app.inject({ url: '/v1/keys', headers: bearer(secret) })).statusCode, 200, 'the generated key is an admin key');
  const [issued] = await keyEvents(first.store);
  t.match(issued, { type: 'KeyIssued', data: { role: 'admin', regions: ['000000'] }, metadata: { actor: { keyId: 'system', role: 'admin' } } });
  t.notMatch(JSON.stringify(issued), secret, 'the event holds the hash, not the secret');
  await first.stop();

  const second = await start(dataDir);
  t.teardown(second.stop);
  t.equal((await readFile(path, 'utf8')).trim(), secret, 'the file is left as it was');
  t.equal((await keyEvents(second.store)).length, 1, 'no second admin key');
  t.equal((await second.app.inject({ url: '/v1/keys', headers: bearer(secret) })).statusCode, 200, 'the same key works after a restart');
});

t.test('ADMIN_KEY is honoured: no file, the given secret is the admin key', async (t) => {
  const dataDir = t.testdir();
  const secret = 'operator-chosen-secret-0123456789abcdef';
  const { app, store, stop } = await start(dataDir, { ADMIN_KEY: secret });
  t.teardown(stop);
  await t.rejects(stat(join(dataDir, 'admin.key')), { code: 'ENOENT' }, 'no file written');
  t.equal((await app.inject({ url: '/v1/keys', headers: bearer(secret) })).statusCode, 200);
  t.notMatch(JSON.stringify(await store.readAll()), secret);
});

t.test('a revoked ADMIN_KEY never comes back with a restart', async (t) => {
  const dataDir = t.testdir();
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  const leaked = 'leaked-admin-secret-0123456789abcdef';
  const first = await buildApp({ store, config: loadConfig({ AUTH: 'on', DATA_DIR: dataDir, ADMIN_KEY: leaked }) });
  const list = await first.inject({ url: '/v1/keys', headers: bearer(leaked) });
  const [admin] = list.json<{ keys: Array<{ id: string }> }>().keys;
  t.equal((await first.inject({ method: 'DELETE', url: `/v1/keys/${admin?.id ?? ''}`, headers: bearer(leaked) })).statusCode, 204, 'an admin may revoke its own key');
  await first.close();
  await t.rejects(buildApp({ store, config: loadConfig({ AUTH: 'on', DATA_DIR: dataDir, ADMIN_KEY: leaked }) }), /ADMIN_KEY is a key that was revoked/);

  const fresh = 'fresh-admin-secret-0123456789abcdef';
  const second = await buildApp({ store, config: loadConfig({ AUTH: 'on', DATA_DIR: dataDir, ADMIN_KEY: fresh }) });
  t.teardown(() => second.close());
  t.equal((await second.inject({ url: '/v1/keys', headers: bearer(fresh) })).statusCode, 200, 'a new ADMIN_KEY takes over');
  t.equal((await second.inject({ url: '/v1/keys', headers: bearer(leaked) })).statusCode, 401);
});

t.test('a kept admin.key is used when the store has no admin key; a revoked one is replaced', async (t) => {
  const dataDir = t.testdir();
  const path = join(dataDir, 'admin.key');
  const kept = 'kept-admin-secret-0123456789abcdef';
  await writeFile(path, `${kept}\n`, { mode: 0o600 });
  const first = await start(dataDir, {}, openEmbeddedStore({ path: ':memory:' }));
  t.equal((await first.app.inject({ url: '/v1/keys', headers: bearer(kept) })).statusCode, 200);
  const [admin] = (await first.app.inject({ url: '/v1/keys', headers: bearer(kept) })).json<{ keys: Array<{ id: string }> }>().keys;
  await first.app.inject({ method: 'DELETE', url: `/v1/keys/${admin?.id ?? ''}`, headers: bearer(kept) });
  await first.app.close();

  const second = await start(dataDir, {}, first.store);
  t.teardown(second.stop);
  const replaced = (await readFile(path, 'utf8')).trim();
  t.not(replaced, kept, 'a fresh secret in the file');
  t.equal((await stat(path)).mode & 0o777, 0o600);
  t.equal((await second.app.inject({ url: '/v1/keys', headers: bearer(replaced) })).statusCode, 200);
  t.equal((await second.app.inject({ url: '/v1/keys', headers: bearer(kept) })).statusCode, 401);
});

t.test('AUTH=off: every request is an admin covering 000000, and no key file is written', async (t) => {
  const dataDir = t.testdir();
  const { app, stop } = await start(dataDir, { AUTH: 'off' });
  t.teardown(stop);
  t.equal((await app.inject({ url: '/v1/keys' })).statusCode, 200);
  t.equal((await app.inject({ method: 'POST', url: '/v1/keys', payload: { name: 'demo', role: 'bureau', regions: ['131121'] } })).statusCode, 201);
  await t.rejects(stat(join(dataDir, 'admin.key')), { code: 'ENOENT' });
});

t.test('the log names the admin.key file, never the secret; AUTH=off warns loudly', async (t) => {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => { lines.push(line); } });
  const dataDir = t.testdir();
  const store = openEmbeddedStore({ path: ':memory:' });
  const app = await buildApp({ store, config: loadConfig({ AUTH: 'on', DATA_DIR: dataDir }), logger });
  await app.close();
  const secret = (await readFile(join(dataDir, 'admin.key'), 'utf8')).trim();
  const log = lines.join('');
  t.match(log, join(dataDir, 'admin.key'), 'the path is logged');
  t.notMatch(log, secret, 'the secret is not');

  lines.length = 0;
  const demo = await buildApp({ store, config: loadConfig({ AUTH: 'off' }), logger });
  await demo.close();
  await store.close();
  t.match(lines.join(''), /"level":40.*AUTH=off: AUTHENTICATION IS DISABLED/);
});
