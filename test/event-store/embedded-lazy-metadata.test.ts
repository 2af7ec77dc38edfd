/**
 * The embedded store parses an event's metadata only when it is first read (it is most of a
 * row, and read models look only at `flags`): every read path must hand out the same kind of
 * object, with the metadata as appended, and flagsOf must answer from the stored text.
 */
import t, { type Test } from 'tap';
import { EmbeddedRecordedEvent, openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { JsonObject, RecordedEvent, Subscription } from '../../src/event-store/port.js';
import { flagsOf } from '../../projections/shared/domain-events.js';

const PREVIOUS = 'a'.repeat(64);
const metadataOf = (n: number, flags?: string[]): JsonObject => ({
  actor: { keyId: 'key-zq-1', role: 'bureau', regions: ['131121'] },
  correlationId: `req-${n}`,
  causationId: `req-${n}`,
  schemaVersion: 1,
  prevHash: PREVIOUS,
  hash: String(n).repeat(64).slice(0, 64),
  ...(flags === undefined ? {} : { flags }),
});

/** What was appended, by event id. */
interface Appended { readonly streamId: string; readonly type: string; readonly data: JsonObject; readonly metadata: JsonObject }

async function openWithEvents(t: Test) {
  const store = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store.close());
  const appended = new Map<string, Appended>();
  const append = async (streamId: string, type: string, n: number, flags?: string[]) => {
    const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    const data = { projectId: streamId, n, name: '项目 ✓' };
    const metadata = metadataOf(n, flags);
    appended.set(id, { streamId, type, data, metadata });
    await store.appendToStream(streamId, [{ id, type, data, metadata }]);
  };
  await append('project-A', 'ProjectRegistered', 1);
  await append('project-A', 'LandAcquired', 2, ['late-report']);
  await append('key-1', 'KeyIssued', 3);
  await append('project-B', 'ProjectRegistered', 4);
  await append('project-A', 'Started', 5, ['started-without-approval', 'late-report']);
  return { store, appended, append };
}

/** Each event: the store's class, metadata not parsed yet, then the metadata as appended. */
function checkEvents(t: Test, events: readonly RecordedEvent[], appended: ReadonlyMap<string, Appended>, path: string): void {
  t.ok(events.length > 0, `${path}: some events`);
  for (const event of events) {
    const expected = appended.get(event.id);
    if (!(event instanceof EmbeddedRecordedEvent)) {
      t.fail(`${path}: ${event.id} is not an EmbeddedRecordedEvent`);
      continue;
    }
    t.notOk(event.metadataParsed, `${path}: ${event.id} arrives with its metadata unparsed`);
    t.equal(event.metadataJson, JSON.stringify(expected?.metadata), `${path}: metadataJson is the stored text`);
    t.same(event.metadata, expected?.metadata, `${path}: ${event.id} has the metadata appended`);
    t.ok(event.metadataParsed, `${path}: parsed once read`);
    t.equal(event.metadata, event.metadata, `${path}: and kept, not parsed again`);
    t.same(event.data, expected?.data, `${path}: ${event.id} has the data appended`);
    t.equal(event.streamId, expected?.streamId);
    t.equal(event.type, expected?.type);
  }
}

async function take(subscription: Subscription, count: number): Promise<RecordedEvent[]> {
  const taken: RecordedEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), 10_000);
  for await (const event of subscription) {
    taken.push(event);
    if (taken.length >= count) break;
  }
  clearTimeout(timer);
  return taken;
}

t.test('every read path gives the metadata as appended, parsed on first access', async (t) => {
  const { store, appended } = await openWithEvents(t);
  const head = await store.headPosition();
  checkEvents(t, await store.readStream('project-A'), appended, 'readStream forwards');
  checkEvents(t, await store.readStream('project-A', { direction: 'backwards', maxCount: 2 }), appended, 'readStream backwards');
  const all = await store.readAll();
  t.equal(all.length, 5);
  checkEvents(t, all, appended, 'readAll forwards');
  checkEvents(t, await store.readAll({ direction: 'backwards', fromPosition: head }), appended, 'readAll backwards');
  const byType = await store.readAll({ filter: { eventTypes: ['ProjectRegistered', 'Started'] } });
  t.same(byType.map((e) => e.type), ['ProjectRegistered', 'ProjectRegistered', 'Started']);
  checkEvents(t, byType, appended, 'readAll filtered by type (a scan)');
  const byPrefix = await store.readAll({ filter: { streamPrefixes: ['project-A'] } });
  t.equal(byPrefix.length, 3);
  checkEvents(t, byPrefix, appended, 'readAll filtered by a rare prefix (the stream index)');
  checkEvents(t, await store.readAll({ direction: 'backwards', filter: { eventTypes: ['LandAcquired'] } }), appended, 'readAll filtered backwards');
});

t.test('a subscription gives the same kind of event when catching up and when live', async (t) => {
  const { store, appended, append } = await openWithEvents(t);
  for (const filter of [undefined, { streamPrefixes: ['project-'] }, { eventTypes: ['ProjectRegistered', 'LandAcquired', 'Started', 'KeyIssued'] }]) {
    const subscription = store.subscribeToAll(filter === undefined ? {} : { filter });
    const wanted = filter?.streamPrefixes ? 4 : 5;
    const caughtUp = await take(subscription, wanted);
    t.equal(caughtUp.length, wanted);
    checkEvents(t, caughtUp, appended, `catch-up ${JSON.stringify(filter)}`);
    await subscription.close();
  }

  // Live: the events pushed right after the commit, not read back from the file.
  const subscription = store.subscribeToAll({ afterPosition: await store.headPosition() });
  const pushed: RecordedEvent[] = [];
  const push = subscription.push.bind(subscription);
  subscription.push = (committed) => { pushed.push(...committed); push(committed); };
  const first = subscription.next();
  await new Promise((resolve) => setImmediate(resolve));
  await append('project-C', 'ProjectRegistered', 6);
  await append('project-C', 'LandAcquired', 7, ['late-report']);
  const live = [(await first).value as RecordedEvent, ...(await take(subscription, 1))];
  t.equal(pushed.length, 2, 'both came through the live push');
  t.ok(live.every((event, i) => event === pushed[i]), 'the very objects pushed');
  checkEvents(t, live, appended, 'live');
});

t.test('as JSON and in comparisons, a stored event is the plain RecordedEvent it was', async (t) => {
  const { store, appended } = await openWithEvents(t);
  const [event] = await store.readStream('project-A', { fromRevision: 1, maxCount: 1 });
  const expected = appended.get(event?.id ?? '');
  const plain = {
    id: event?.id, streamId: 'project-A', revision: 1, position: event?.position, type: 'LandAcquired',
    data: expected?.data, metadata: expected?.metadata, recordedAt: event?.recordedAt,
  };
  const json: unknown = JSON.parse(JSON.stringify(event));
  t.strictSame(json, plain, 'JSON.stringify gives all eight fields, metadata included, and nothing else');
  t.same(event, plain, 't.same sees the metadata');
  t.match(event, { metadata: { flags: ['late-report'], correlationId: 'req-2' } }, 't.match sees it too');
  t.notSame(event, { ...plain, metadata: { ...expected?.metadata, correlationId: 'other' } }, 'and a different metadata is different');
  t.same(JSON.parse(JSON.stringify(await store.readAll())).map((e: RecordedEvent) => e.metadata),
    [...appended.values()].map((a) => a.metadata), 'a whole page serialises with its metadata');
});

t.test('flagsOf answers from the stored text, parsing metadata only when it names flags', async (t) => {
  const { store } = await openWithEvents(t);
  const events = await store.readAll();
  const unflagged = events.filter((e) => e.type === 'ProjectRegistered' || e.type === 'KeyIssued');
  t.equal(unflagged.length, 3);
  for (const event of unflagged) {
    if (!(event instanceof EmbeddedRecordedEvent)) throw new Error('not the embedded class');
    t.same(flagsOf(event), [], 'no flags');
    t.notOk(event.metadataParsed, 'and the metadata was not parsed for it');
  }
  t.equal(flagsOf(unflagged[0]!), flagsOf(unflagged[1]!), 'the shared empty list');

  // The same with a spy: reading `metadata` at all is a failure.
  const spied = (await store.readStream('key-1'))[0]!;
  let reads = 0;
  Object.defineProperty(spied, 'metadata', { get: () => { reads += 1; return {}; } });
  t.same(flagsOf(spied), []);
  t.equal(reads, 0, 'flagsOf did not touch metadata');

  const flagged = events.filter((e) => e.type === 'LandAcquired' || e.type === 'Started');
  t.same(flagged.map(flagsOf), [['late-report'], ['started-without-approval', 'late-report']], 'the flags, in order');

  // Without metadataJson (another adapter, or a copy that replaced metadata), from the metadata.
  const plain: RecordedEvent = { ...flagged[0]!, metadata: { flags: ['late-report'] } };
  t.equal(plain.metadataJson, undefined, 'a spread copy does not carry the stored text');
  t.same(flagsOf(plain), ['late-report']);
  t.same(flagsOf({ ...plain, metadata: {} }), []);
  // "flags" in the text but not as a key with a list: still no flags.
  const store2 = openEmbeddedStore({ path: ':memory:' });
  t.teardown(() => store2.close());
  await store2.appendToStream('s', [{ type: 'T', data: {}, metadata: { note: 'flags' } }, { type: 'T', data: {}, metadata: { flags: [] } }]);
  t.same((await store2.readAll()).map(flagsOf), [[], []]);
});
