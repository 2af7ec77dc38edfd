/**
 * The streams commands read are kept in memory and brought up to date on each read
 * (src/event-store/stream-cache.ts, issue 10 item 12): a hot project's events are read from
 * the store once, not once or twice per command; and what another instance appended to the
 * same store is seen by the next command all the same.
 */
import t from 'tap';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore, ReadStreamOptions } from '../../src/event-store/port.js';
import { buildTestApp } from './build-test-app.js';
import { decoratedStore } from '../../src/event-store/decorated-store.js';

const project = (projectId: string) => ({
  projectId, name: '缓存项目', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 100, occurredOn: '2025-01-06',
});
const funds = { type: 'FundsArrived', occurredOn: '2025-02-01', amount: 10, source: 'own', sourceRegion: 'in_city' };

/** The store, counting the events its stream reads hand out. */
function counting(store: EventStore): { store: EventStore; eventsRead: () => number } {
  let read = 0;
  const wrapped = decoratedStore(store, {
    readStream: async (streamId: string, options?: ReadStreamOptions) => {
      const events = await store.readStream(streamId, options);
      if (streamId.startsWith('project-')) read += events.length;
      return events;
    },
  });
  return { store: wrapped, eventsRead: () => read };
}

t.test('a hot stream is read from the store once, then only what was appended since', async (t) => {
  const counted = counting(openEmbeddedStore({ path: ':memory:' }));
  const { app, store } = await buildTestApp({}, counted.store);
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal((await app.inject({ method: 'POST', url: '/v1/projects', payload: project('HOT-1') })).statusCode, 201);
  const COMMANDS = 60;
  const statuses: number[] = [];
  for (let i = 0; i < COMMANDS; i += 1) statuses.push((await app.inject({ method: 'POST', url: '/v1/projects/HOT-1/milestones', payload: funds })).statusCode);
  t.strictSame(new Set(statuses), new Set([201]), 'every command succeeded');
  // Reading the whole stream twice per command would hand out some 2 × 60²/2 = 3,600 events.
  t.ok(counted.eventsRead() < 4 * COMMANDS, `${counted.eventsRead()} events read for ${COMMANDS} commands on one stream`);
  const history = (await app.inject({ url: '/v1/projects/HOT-1/history' })).json<{ events: Array<{ revision: number }> }>();
  t.strictSame(history.events.map((e) => e.revision), Array.from({ length: COMMANDS + 1 }, (_, i) => i), 'every event, in order, once');
});

t.test('what another instance appended to the same store is decided on', async (t) => {
  const store = openEmbeddedStore({ path: ':memory:' });
  const one = await buildTestApp({}, store);
  const other = await buildTestApp({}, store);
  t.teardown(async () => { await one.app.close(); await other.app.close(); await store.close(); });
  t.equal((await one.app.inject({ method: 'POST', url: '/v1/projects', payload: project('TWO-1') })).statusCode, 201);
  // Both instances have read the stream (and kept it).
  t.equal((await one.app.inject({ method: 'POST', url: '/v1/projects/TWO-1/milestones', payload: funds })).statusCode, 201);
  t.equal((await other.app.inject({ method: 'POST', url: '/v1/projects/TWO-1/milestones', payload: funds })).statusCode, 201);
  // The other instance stalls the project; the first one resumes it: a rule that needs the fresh state.
  const stalled = await other.app.inject({ method: 'POST', url: '/v1/projects/TWO-1/milestones', payload: { type: 'Stalled', occurredOn: '2025-03-01', reason: 'funds' } });
  t.equal(stalled.statusCode, 201, stalled.body);
  const resumed = await one.app.inject({ method: 'POST', url: '/v1/projects/TWO-1/milestones', payload: { type: 'Resumed', occurredOn: '2025-03-05', reason: 'funds' },
    headers: { 'if-match': String(stalled.headers['etag']) } });
  t.equal(resumed.statusCode, 201, resumed.body);
  t.equal(resumed.json<{ revision: number }>().revision, 4);
  const again = await other.app.inject({ method: 'POST', url: '/v1/projects/TWO-1/milestones', payload: { type: 'Resumed', occurredOn: '2025-03-06', reason: 'funds' } });
  t.equal(again.statusCode, 409, 'the other instance sees it resumed: resuming again breaks a rule');
  const state = (await other.app.inject({ url: '/v1/projects/TWO-1' }));
  t.equal(state.headers['etag'], '"4"', 'reads see the newest revision too');
});
