import t from 'tap';
import { z } from 'zod';
import { createUpcasterRegistry, defineUpcaster, UpcastFailed } from '../../migrations/upcasters/registry.js';
import { currentSchemaVersion, upcast } from '../../migrations/upcasters/index.js';
import { eventSchemas, PROJECT_EVENT_TYPES } from '../../commands/project/events.js';
import { withdrawnV1 } from '../../migrations/upcasters/withdrawn-v1.js';
import type { RecordedEvent } from '../../src/event-store/port.js';

/**
 * An example evolution of FundsArrived: v1 had `fromAbroad: boolean`, v2 has `sourceRegion`,
 * v3 adds `currency`. The old schemas are frozen here, as they would be beside the upcaster.
 */
const fundsArrivedV1 = z.object({ projectId: z.string(), occurredOn: z.string(), amount: z.number().int(), fromAbroad: z.boolean() });
const fundsArrivedV2 = z.object({ projectId: z.string(), occurredOn: z.string(), amount: z.number().int(), sourceRegion: z.string() });
const v1ToV2 = defineUpcaster({
  type: 'FundsArrived', fromVersion: 1, from: fundsArrivedV1,
  upcast: ({ fromAbroad, ...rest }) => ({ ...rest, sourceRegion: fromAbroad ? 'out_of_province' : 'in_city' }),
});
const v2ToV3 = defineUpcaster({ type: 'FundsArrived', fromVersion: 2, from: fundsArrivedV2, upcast: (v2) => ({ ...v2, currency: 'CNY' }) });

const recorded = (data: RecordedEvent['data'], schemaVersion?: number): RecordedEvent => ({
  id: 'e1', streamId: 'project-P', revision: 0, position: 1, type: 'FundsArrived', data,
  metadata: schemaVersion === undefined ? { hash: 'h' } : { schemaVersion, hash: 'h' }, recordedAt: '2025-05-06T02:00:00.000Z',
});
const v1 = { projectId: 'P', occurredOn: '2025-05-06', amount: 100, fromAbroad: false };
const v2 = { projectId: 'P', occurredOn: '2025-05-06', amount: 100, sourceRegion: 'in_city' };
const v3 = { ...v2, currency: 'CNY' };

t.test('old → new', async (t) => {
  const registry = createUpcasterRegistry([v1ToV2]);
  const lifted = registry.upcast(recorded(v1, 1));
  t.strictSame(lifted.data, v2);
  t.equal(lifted.metadata['schemaVersion'], 2);
  t.equal(lifted.metadata['hash'], 'h', 'the rest of the metadata is kept');
  t.strictSame(registry.upcast(recorded(v1)).data, v2, 'no schemaVersion reads as v1');
});

t.test('new → new', async (t) => {
  const registry = createUpcasterRegistry([v1ToV2]);
  const current = recorded(v2, 2);
  t.equal(registry.upcast(current), current, 'a current event is returned as is');
});

t.test('steps chain, in whatever order they are listed', async (t) => {
  const registry = createUpcasterRegistry([v2ToV3, v1ToV2]);
  t.equal(registry.currentVersion('FundsArrived'), 3);
  t.equal(registry.currentVersion('Started'), 1, 'a type without steps is at v1');
  t.strictSame(registry.upcast(recorded(v1, 1)).data, v3);
  t.strictSame(registry.upcast(recorded(v2, 2)).data, v3);
  t.strictSame(registry.upcast(recorded(v3, 3)).data, v3);
});

t.test('refusals', async (t) => {
  t.throws(() => createUpcasterRegistry([v1ToV2, v1ToV2]), /two upcasters/);
  t.throws(() => createUpcasterRegistry([v2ToV3]), /no upcaster from v1/);
  const registry = createUpcasterRegistry([v1ToV2]);
  t.throws(() => registry.upcast(recorded(v2, 3)), UpcastFailed, 'a version from newer code');
  t.throws(() => registry.upcast(recorded({ amount: 'a lot' }, 1)), UpcastFailed, 'data that does not fit the frozen schema');
});

t.test('the product registry: every event is at v1 today but Withdrawn, at v2', async (t) => {
  for (const type of [...PROJECT_EVENT_TYPES, 'AnnualTargetsSet', 'GroundbreakingBatchScheduled']) {
    t.equal(currentSchemaVersion(type), type === 'Withdrawn' ? 2 : 1, type);
  }
  const event = recorded(v2, 1);
  t.equal(upcast(event), event, 'an event at its current version is returned as it is');
});

/** Withdrawn as recorded before and after its approvedBy became structured. */
const withdrawn = (data: RecordedEvent['data'], schemaVersion?: number): RecordedEvent => ({ ...recorded(data, schemaVersion), type: 'Withdrawn' });
const withdrawnV1Data = { projectId: 'P', occurredOn: '2025-05-30', reason: '投资方资金链断裂', approvedBy: '枣强县人民政府' };
const withdrawnV2Data = { projectId: 'P', occurredOn: '2025-05-30', reason: '投资方资金链断裂', approvedBy: { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' } };

t.test('Withdrawn v1 → v2: the approving body\'s name becomes approvedBy.authority, nothing guessed', async (t) => {
  const lifted = upcast(withdrawn(withdrawnV1Data, 1));
  t.strictSame(lifted.data, { projectId: 'P', occurredOn: '2025-05-30', reason: '投资方资金链断裂', approvedBy: { authority: '枣强县人民政府' } });
  t.equal(lifted.metadata['schemaVersion'], 2);
  t.equal(lifted.metadata['hash'], 'h', 'the rest of the metadata is kept');
  t.strictSame(upcast(withdrawn(withdrawnV1Data)).data, lifted.data, 'no schemaVersion reads as v1');
  t.ok(eventSchemas.Withdrawn.safeParse(lifted.data).success, 'the upcast data is valid under the current schema');
  t.ok(withdrawnV1.safeParse(withdrawnV1Data).success, 'the frozen v1 schema reads what v1 wrote');
  t.notOk(withdrawnV1.safeParse(withdrawnV2Data).success, 'and only that');
});

t.test('Withdrawn v2 → v2: a current event is not touched', async (t) => {
  const current = withdrawn(withdrawnV2Data, 2);
  t.equal(upcast(current), current);
  t.throws(() => upcast(withdrawn(withdrawnV2Data, 1)), UpcastFailed, 'v2 data claiming to be v1 is refused, not guessed at');
});
