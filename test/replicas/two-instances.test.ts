/**
 * Two app instances (replicas) against one KurrentDB (the in-process stand-in), each on a port of
 * its own, talked to over HTTP as a client behind a reverse proxy would be, landing on either:
 *
 * - a key issued on one works on the other; revoked on one, it is refused on the other within 1 s;
 * - an Idempotency-Key replayed on the other instance answers the first answer, appending nothing;
 * - `minPosition` from one instance's command is honoured on the other;
 * - SSE (/v1/live) on either sees the commands posted through both.
 */
import t from 'tap';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { openKurrentDbStore } from '../../src/event-store/kurrentdb/kurrentdb-store.js';
import { startStandIn } from '../kurrentdb-standin/index.js';
import { http } from '../support/server-process.js';

const ADMIN_KEY = 'replica-test-admin-key-0123456789abcdef';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

async function startReplica(connectionString: string) {
  const store = await openKurrentDbStore(connectionString);
  const app = await buildApp({ store, config: loadConfig({ ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '100000', LIVE_COALESCE_MS: '10' }) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    port,
    stop: async () => {
      await app.close();
      await store.close();
    },
  };
}

async function eventually<T>(what: () => Promise<T>, done: (value: T) => boolean, withinMs: number): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  for (;;) {
    const value = await what();
    const ms = Date.now() - started;
    if (done(value) || ms > withinMs) return { value, ms };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Collects the `id`s (global positions) of the SSE events a live stream sends. */
function liveIds(port: number, key: string): { ids: number[]; close: () => void; opened: Promise<void> } {
  const ids: number[] = [];
  let close = (): void => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/v1/live?regionCode=131121', headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`live answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffered = '';
      res.on('data', (chunk: string) => {
        buffered += chunk;
        for (const match of buffered.matchAll(/^id: (\d+)$/gm)) ids.push(Number(match[1]));
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      res.on('error', () => undefined);
      resolve();
    });
    req.on('error', () => undefined);
    req.end();
    close = () => req.destroy();
  });
  return { ids, close: () => close(), opened };
}

const registration = (projectId: string) => ({
  projectId, name: '枣强县复合材料产业园', regionCode: '131121', industry: 'C', category: 'industrial',
  origin: 'attracted', plannedInvestment: 52000.5, occurredOn: '2025-01-06',
});

t.test('two app instances on one KurrentDB', async (t) => {
  const standIn = await startStandIn();
  t.teardown(() => standIn.stop());
  // Both start at once, as replicas do: the first admin key is issued once, not twice.
  const [a, b] = await Promise.all([startReplica(standIn.connectionString), startReplica(standIn.connectionString)]);
  t.teardown(async () => {
    await a.stop();
    await b.stop();
  });

  const keys = await http(b.port, 'GET', '/v1/keys', { headers: admin });
  t.equal(keys.status, 200);
  const listed = keys.json() as { keys: { issuedBy: string }[] };
  t.equal(listed.keys.filter((key) => key.issuedBy === 'system').length, 1, 'one first admin key, though both replicas started together');

  await t.test('a key issued on one works on the other; revoked on one, refused on the other within 1 s', async (t) => {
    const issued = await http(a.port, 'POST', '/v1/keys', { headers: admin, body: { name: '枣强县招商局', role: 'bureau', regions: ['131121'] } });
    t.equal(issued.status, 201);
    const { id, key } = issued.json() as { id: string; key: string };
    const works = await eventually(() => http(b.port, 'GET', '/v1/projects?regionCode=131121', { headers: { authorization: `Bearer ${key}` } }), (answer) => answer.status === 200, 2000);
    t.equal(works.value.status, 200, `the key works on the other instance (after ${works.ms} ms)`);
    const revoked = await http(b.port, 'DELETE', `/v1/keys/${id}`, { headers: admin });
    t.equal(revoked.status, 204);
    const refused = await eventually(() => http(a.port, 'GET', '/v1/projects?regionCode=131121', { headers: { authorization: `Bearer ${key}` } }), (answer) => answer.status === 401, 1000);
    t.equal(refused.value.status, 401, `revoked on one, refused on the other within 1 s (${refused.ms} ms)`);
  });

  await t.test('an Idempotency-Key replayed on the other instance answers the first answer', async (t) => {
    const headers = { ...admin, 'idempotency-key': 'replica-register-0001' };
    const first = await http(a.port, 'POST', '/v1/projects', { headers, body: registration('ZQ-2025-0101') });
    t.equal(first.status, 201);
    const again = await http(b.port, 'POST', '/v1/projects', { headers, body: registration('ZQ-2025-0101') });
    t.equal(again.status, first.status, 'the same status');
    t.same(again.json(), first.json(), 'the same body');
    const history = await http(b.port, 'GET', '/v1/projects/ZQ-2025-0101/history', { headers: admin });
    t.equal((history.json() as { events: unknown[] }).events.length, 1, 'one event: nothing appended by the replay');
  });

  await t.test('minPosition from one instance\'s command is honoured on the other', async (t) => {
    for (let n = 0; n < 5; n++) {
      const projectId = `ZQ-2025-02${String(n).padStart(2, '0')}`;
      const posted = await http(a.port, 'POST', '/v1/projects', { headers: admin, body: registration(projectId) });
      const { position } = posted.json() as { position: number };
      const ledger = await http(b.port, 'GET', `/v1/projects?regionCode=131121&limit=1000&minPosition=${position}`, { headers: admin });
      t.equal(ledger.status, 200);
      const rows = ledger.json() as { rows: { projectId: string }[] };
      const ids = rows.rows.map((row) => row.projectId);
      t.ok(ids.includes(projectId), `${projectId}, registered on A at ${position}, is in B's ledger read with minPosition`);
    }
  });

  await t.test('SSE on either instance sees the commands posted through both', async (t) => {
    const onA = liveIds(a.port, ADMIN_KEY);
    const onB = liveIds(b.port, ADMIN_KEY);
    t.teardown(() => {
      onA.close();
      onB.close();
    });
    await Promise.all([onA.opened, onB.opened]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const viaA = (await http(a.port, 'POST', '/v1/projects', { headers: admin, body: registration('ZQ-2025-0301') })).json() as { position: number };
    const viaB = (await http(b.port, 'POST', '/v1/projects', { headers: admin, body: registration('ZQ-2025-0302') })).json() as { position: number };
    const last = Math.max(viaA.position, viaB.position);
    for (const [name, live] of [['A', onA], ['B', onB]] as const) {
      const seen = await eventually(async () => live.ids, (ids) => ids.some((id) => id >= last), 5000);
      t.ok(seen.value.some((id) => id >= last), `SSE on ${name} reached the later command's position ${last} (ids ${seen.value.join(', ')})`);
    }
  });
});
