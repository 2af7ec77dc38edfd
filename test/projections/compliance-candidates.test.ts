/**
 * The live compliance lists read only the projects fact_now's columns say a rule could list
 * (COMPLIANCE_CONDITIONS, runner/facts-history.ts), then judge each whole. That is exact only if
 * each rule's condition holds for every project the rule lists, open or resolved, at any date:
 * checked here rule by rule, so that one rule's gap is not hidden by a project another rule lets
 * through. The history is generated with idle land, late entries, late starts of batches and
 * approvals after starts, and judged on dates before, between and long after their deadlines.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistory } from './support/generate-history.js';
import { foldAll } from '../../projections/projection.js';
import { allReadModels } from '../../projections/all-read-models.js';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { applyStoreSchema } from '../../migrations/store/apply.js';
import { statisticsHistorySchemaVersions } from '../../migrations/read-models/statistics-history-schema.js';
import { COMPLIANCE_CONDITIONS, nowRow } from '../../projections/runner/facts-history.js';
import { COMPLIANCE_KINDS, complianceFlags, queryCompliance } from '../../projections/compliance/index.js';
import { queryLedger } from '../../projections/project-ledger/index.js';
import { StatisticsHistory } from '../../projections/runner/statistics-history.js';
import type { AllReadModelsState } from '../../projections/all-read-models.js';
import { dayNumber } from '../../projections/shared/calendar.js';

const generated = generateHistory({ seed: 20261204, projects: 600, years: 4 });
const events: RecordedEvent[] = generated.map((event, index) => {
  const recorded = { ...event, id: `e${index}`, position: index + 1, revision: 0 } as unknown as RecordedEvent;
  if (event.type !== 'LandAcquired' || index % 2 !== 0) return recorded;
  // Land acquired with its agreed start long past: idle a year after it, started late or never.
  const on = Date.parse((event.data as { occurredOn: string }).occurredOn);
  return { ...recorded, data: { ...recorded.data, agreedStartBy: new Date(on - 300 * 86_400_000).toISOString().slice(0, 10) } };
});

t.test('each rule lists only projects its condition on fact_now lets through, at any date', async (t) => {
  const folded = foldAll(allReadModels, events);
  const state = folded.compliance;
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  applyStoreSchema(db, statisticsHistorySchemaVersions);
  const insert = db.prepare(`INSERT INTO fact_now (seq, region, stage, category, total, started_day, entered_day, approved_day,
    idle_due_day, in_batch, inconsistent, late_from_day) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const projects = state.order.map((id) => state.projects[id]).filter((facts) => facts !== undefined);
  for (const facts of projects) insert.run(...nowRow(facts, state.lateReports[facts.projectId]));

  const listed = new Map<string, number>();
  let through = 0;
  for (let day = dayNumber('2022-01-01'); day <= dayNumber('2029-06-30'); day += 11) {
    const asOfDate = new Date(day * 86_400_000).toISOString().slice(0, 10);
    const flagsOf = complianceFlags(state, asOfDate);
    for (const kind of COMPLIANCE_KINDS) {
      const matching = new Set(db.prepare<[{ asOf: number }], number>(`SELECT seq FROM fact_now WHERE ${COMPLIANCE_CONDITIONS[kind]}`).pluck().all({ asOf: day }));
      through += matching.size;
      for (const facts of projects) {
        if (!flagsOf(facts).includes(kind)) continue;
        listed.set(kind, (listed.get(kind) ?? 0) + 1);
        if (!matching.has(facts.seq)) t.fail(`${kind} lists ${facts.projectId} at ${asOfDate}, but its condition leaves it out`, { facts });
      }
    }
  }
  for (const kind of COMPLIANCE_KINDS) t.ok((listed.get(kind) ?? 0) > 0, `${kind}: listed ${listed.get(kind) ?? 0} times over the dates`);
  const judged = projects.length * COMPLIANCE_KINDS.length * Math.ceil((dayNumber('2029-06-30') - dayNumber('2022-01-01') + 1) / 11);
  t.ok(through < judged / 2, `the conditions let through ${through} of ${judged} (project, rule, date)s: a list reads a fraction of its region`);
});

t.test('resumed from an older snapshot, the projects changed since are again as they stood then', async (t) => {
  const slice = events.slice(0, 4_000);
  const dir = mkdtempSync(join(tmpdir(), 'fact-now-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const open = () => new StatisticsHistory<AllReadModelsState>({ path: join(dir, 'statistics-history.db'), version: allReadModels.version, checkpointEvery: 97 },
    (state) => state['pipeline-statistics'],
    (state) => ({ facts: state.facts, lateReports: state.compliance.lateReports, batches: state.batches }));
  const first = open();
  let state = allReadModels.initialState();
  t.ok(first.follow(state, 0), 'a fresh history');
  for (const event of slice) {
    state = allReadModels.evolve(state, event);
    first.applied(state, event);
  }
  await first.flush();
  t.equal(first.head.position, slice.at(-1)?.position, 'written to the end');
  await first.stop();

  // A crash: the last snapshot is 1,500 events behind what the history wrote.
  const snapshotAt = slice[2_499] as RecordedEvent;
  const then = foldAll(allReadModels, slice.slice(0, 2_500));
  const history = open();
  t.teardown(() => history.stop());
  t.ok(history.follow(then, snapshotAt.position), 'the history continues from the snapshot');
  const strip = (value: unknown) => JSON.parse(JSON.stringify(value, (key, inner: unknown) => (key === 'position' ? undefined : inner))) as unknown;
  for (const asOfDate of ['2024-06-30', '2027-01-01']) {
    const { position, states } = history.currentFactStates({ complianceOn: asOfDate });
    t.equal(position, snapshotAt.position, 'read at the snapshot\'s position');
    t.same(strip(queryCompliance(states.compliance, { regionCode: '000000', asOfDate })),
      strip(queryCompliance(then.compliance, { regionCode: '000000', asOfDate })), `compliance as it stood, judged at ${asOfDate}`);
  }
  const ledger = history.currentFactStates({ ledger: { stage: 'STARTED' } }).states.compliance;
  t.same(strip(queryLedger(ledger, { stage: 'STARTED', limit: 1_000 }, complianceFlags(ledger, '2027-01-01'))),
    strip(queryLedger(then.compliance, { stage: 'STARTED', limit: 1_000 }, complianceFlags(then.compliance, '2027-01-01'))), 'the started projects as they stood');
});
