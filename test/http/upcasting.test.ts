/**
 * Upcasting happens once, around the store, for every reader: a Withdrawn written at v1
 * (approvedBy as free text, before it became structured) reads as v2 to the decider, the read
 * side, project history and the CLI, while the audit log, the leaf and its proof keep the
 * bytes as recorded, and the log still verifies.
 */
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainHash } from '../../commands/hash-chain.js';
import { loadStream } from '../../commands/handle-command.js';
import { projectDecider } from '../../commands/project/decider.js';
import { projectStreamId } from '../../commands/project/events.js';
import { upcasters } from '../../migrations/upcasters/index.js';
import { openConfiguredStore } from '../../src/cli/read-side.js';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { JsonObject, RecordedEvent } from '../../src/event-store/port.js';
import { upcastingStore } from '../../src/event-store/upcasting-store.js';
import { buildTestApp } from './build-test-app.js';

t.test('a v1 Withdrawn reads as v2 on every read path, and is proven as recorded', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'upcasting-'));
  const store = openEmbeddedStore({ path: join(dir, 'events.db'), synchronous: 'NORMAL' });
  const { app } = await buildTestApp({}, store);
  t.teardown(async () => { await app.close(); await store.close(); rmSync(dir, { recursive: true, force: true }); });

  const registered = await app.inject({ method: 'POST', url: '/v1/projects', payload: {
    projectId: 'OLD-1', name: '老项目', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 500, occurredOn: '2024-03-01',
  } });
  t.equal(registered.statusCode, 201, registered.body);

  // The read side hears every event it folds: collect what it is given.
  const folded: RecordedEvent[] = [];
  app.readModels.onApplied('project-ledger', (events) => { folded.push(...events); });

  // Withdrawn as the code before v2 wrote it, chained like any event of the stream.
  const streamId = projectStreamId('OLD-1');
  const [last] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  const prevHash = String(last?.metadata['hash']);
  const v1: JsonObject = { projectId: 'OLD-1', occurredOn: '2024-06-30', reason: '项目取消', approvedBy: '枣强县人民政府' };
  const appended = await store.appendToStream(streamId, [{
    type: 'Withdrawn', data: v1,
    metadata: { actor: { keyId: 'old', role: 'bureau', regions: ['131121'] }, correlationId: 'c', causationId: 'c', schemaVersion: 1, prevHash, hash: chainHash(prevHash, { type: 'Withdrawn', data: v1 }) },
  }], { expectedRevision: 0 });
  const v2 = { authority: '枣强县人民政府' };

  // The decider.
  const loaded = await loadStream(upcastingStore(store, upcasters), streamId, projectDecider);
  t.strictSame(loaded.events.at(-1)?.data['approvedBy'], v2, 'the command handler reads v2');
  t.equal(loaded.state.status === 'registered' ? loaded.state.stage : undefined, 'WITHDRAWN');
  const after = await app.inject({ method: 'POST', url: '/v1/projects/OLD-1/milestones', payload: { type: 'Started', occurredOn: '2024-07-01' } });
  t.equal(after.statusCode, 409, 'and decides on it: nothing follows Withdrawn');

  // The read side.
  t.ok(await app.readModels.waitFor(appended.position, 5000));
  const seen = folded.find((event) => event.type === 'Withdrawn');
  t.strictSame(seen?.data['approvedBy'], v2, 'the read models fold v2');
  const project = (await app.inject({ url: '/v1/projects/OLD-1' })).json<{ stage: string }>();
  t.equal(project.stage, 'WITHDRAWN');

  // The read side as of a moment: replayed from the log through the same upcasters.
  const [recorded] = await store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
  const moment = new Date(Date.parse(recorded?.recordedAt ?? '') + 1).toISOString();
  const then = await app.inject({ url: `/v1/projects?regionCode=131121&asOf=${encodeURIComponent(moment)}`, headers: { accept: 'text/csv' } });
  t.equal(then.statusCode, 200, 'the ledger as of a moment');
  const [header = '', row = ''] = then.rawPayload.subarray(3).toString('utf8').split('\r\n');
  t.equal(row.split(',')[header.split(',').indexOf('退出批准机关')], '枣强县人民政府', 'the ledger as of a moment folds v2 (its 退出批准机关 is the structured authority)');

  // History.
  const history = (await app.inject({ url: '/v1/projects/OLD-1/history' })).json<{ events: Array<{ type: string; data: JsonObject; schemaVersion: number; leafIndex: number | null }> }>();
  const shown = history.events.at(-1);
  t.strictSame(shown?.data['approvedBy'], v2, 'history shows v2');
  t.equal(shown?.schemaVersion, 2);

  // The CLI, on the same file.
  const cliStore = await openConfiguredStore(loadConfig({ DATA_DIR: dir }));
  const read = await cliStore.readStream(streamId);
  t.strictSame(read.at(-1)?.data['approvedBy'], v2, 'the CLI reads v2');
  await cliStore.close();

  // What was recorded: the audit log, the leaf, its proof, verification.
  const audit = (await app.inject({ url: `/v1/audit/events?fromPosition=${appended.position}&limit=1` })).json<{ events: Array<{ data: JsonObject; leafIndex: number }> }>();
  t.equal(audit.events[0]?.data['approvedBy'], '枣强县人民政府', 'the audit log shows the data as recorded');
  const proof = (await app.inject({ url: `/v1/audit/proofs/inclusion?index=${shown?.leafIndex ?? -1}` })).json<{ leaf: string }>();
  const leaf = JSON.parse(Buffer.from(proof.leaf, 'base64').toString('utf8')) as { data: JsonObject; metadata: JsonObject };
  t.equal(leaf.data['approvedBy'], '枣强县人民政府', 'the leaf holds the v1 bytes: upcasting never changes what is proven');
  t.equal(leaf.metadata['schemaVersion'], 1);
  const verified = (await app.inject({ url: '/v1/audit/verify' })).json<{ ok: boolean }>();
  t.equal(verified.ok, true, 'and the log verifies');

  // A new Withdrawn is written at v2, structured; the old text form is still taken from clients.
  await app.inject({ method: 'POST', url: '/v1/projects', payload: {
    projectId: 'NEW-1', name: '新项目', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 500, occurredOn: '2025-03-01',
  } });
  const posted = await app.inject({ method: 'POST', url: '/v1/projects/NEW-1/milestones', payload: {
    type: 'Withdrawn', occurredOn: '2025-06-30', reason: '项目取消', approvedBy: { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' },
  } });
  t.equal(posted.statusCode, 201, posted.body);
  const [written] = await store.readStream(projectStreamId('NEW-1'), { direction: 'backwards', maxCount: 1 });
  t.strictSame(written?.data['approvedBy'], { authority: '枣强县人民政府', documentNo: '枣政字〔2025〕31号' });
  t.equal(written?.metadata['schemaVersion'], 2, 'stamped with the current version');
  await app.inject({ method: 'POST', url: '/v1/projects', payload: {
    projectId: 'NEW-2', name: '新项目二', regionCode: '131121', industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 500, occurredOn: '2025-03-01',
  } });
  const asText = await app.inject({ method: 'POST', url: '/v1/projects/NEW-2/milestones', payload: {
    type: 'Withdrawn', occurredOn: '2025-06-30', reason: '项目取消', approvedBy: '枣强县人民政府',
  } });
  t.equal(asText.statusCode, 201, 'a client that sends the name alone still works');
  const [fromText] = await store.readStream(projectStreamId('NEW-2'), { direction: 'backwards', maxCount: 1 });
  t.strictSame(fromText?.data['approvedBy'], { authority: '枣强县人民政府' }, 'stored structured');
});
