import t from 'tap';
import { createHash } from 'node:crypto';
import { canonicalJson, chainHash, GENESIS_HASH, verifyChain } from '../../commands/hash-chain.js';
import { handleCommand } from '../../commands/handle-command.js';
import { projectDecider } from '../../commands/project/decider.js';
import { projectStreamId } from '../../commands/project/events.js';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { approved, landAcquired, post, PROJECT, register } from './project-fixtures.js';
import { bureau, openStore } from './store-helpers.js';

t.test('canonical JSON sorts keys at every depth and has no whitespace', async (t) => {
  t.equal(canonicalJson({ b: 1, a: { d: [3, { z: null, y: '项目' }], c: true } }), '{"a":{"c":true,"d":[3,{"y":"项目","z":null}]},"b":1}');
  t.equal(canonicalJson({ b: 1, a: 2 }), canonicalJson({ a: 2, b: 1 }), 'key order does not matter');
  t.equal(canonicalJson([2, 1]), '[2,1]', 'array order does');
  t.equal(canonicalJson('a"b'), '"a\\"b"');
});

t.test('hash = sha256hex(prevHash + canonicalJson({ type, data, occurredOn }))', async (t) => {
  const data = { projectId: 'P', occurredOn: '2025-03-01' };
  const expected = createHash('sha256')
    .update(`${GENESIS_HASH}{"data":{"occurredOn":"2025-03-01","projectId":"P"},"occurredOn":"2025-03-01","type":"Started"}`)
    .digest('hex');
  t.equal(chainHash(GENESIS_HASH, { type: 'Started', data }), expected);
  t.equal(GENESIS_HASH, '0'.repeat(64));
});

t.test('verifyChain', async (t) => {
  const store = openStore(t);
  const stream = projectStreamId(PROJECT);
  for (const command of [register(), post(approved()), post(landAcquired())]) {
    await handleCommand(store, stream, projectDecider, command, bureau());
  }
  const events = await store.readStream(stream);
  // A plain copy to tamper with: the store's events keep `metadata` on their prototype, so a
  // spread alone would drop it.
  const copy = (e: RecordedEvent): RecordedEvent => ({ ...e, metadata: e.metadata });
  const tamper = (revision: number, change: (e: RecordedEvent) => RecordedEvent) => events.map((e) => (e.revision === revision ? change(copy(e)) : e));

  t.strictSame(verifyChain(events), { intact: true }, 'a stream the handler wrote is intact');
  t.strictSame(verifyChain([]), { intact: true }, 'an empty stream is intact');
  t.strictSame(verifyChain(tamper(1, (e) => ({ ...e, data: { ...e.data, approvedInvestment: 1 } }))), { intact: false, firstBrokenRevision: 1 }, 'rewritten data');
  t.strictSame(verifyChain(tamper(2, (e) => ({ ...e, data: { ...e.data, occurredOn: '2025-03-16' } }))), { intact: false, firstBrokenRevision: 2 }, 'a moved date');
  t.strictSame(verifyChain(tamper(0, (e) => ({ ...e, type: 'Withdrawn' }))), { intact: false, firstBrokenRevision: 0 }, 'a changed type');
  t.strictSame(verifyChain(tamper(2, (e) => ({ ...e, metadata: { ...e.metadata, prevHash: GENESIS_HASH } }))), { intact: false, firstBrokenRevision: 2 }, 'a cut chain');
  t.strictSame(verifyChain([events[0], events[2]].filter((e) => e !== undefined)), { intact: false, firstBrokenRevision: 1 }, 'a removed event');
  // Re-hashing a rewritten event is caught by the next one, which still names the old hash.
  const rewritten = tamper(1, (e) => {
    const data = { ...e.data, approvedInvestment: 1 };
    return { ...e, data, metadata: { ...e.metadata, hash: chainHash(String(e.metadata['prevHash']), { type: e.type, data }) } };
  });
  t.strictSame(verifyChain(rewritten), { intact: false, firstBrokenRevision: 2 }, 'a rewritten and re-hashed event');
  t.strictSame(verifyChain(events.map((e) => ({ ...copy(e), data: Object.fromEntries(Object.entries(e.data).reverse()) }))), { intact: true }, 'key order is not content');
});
