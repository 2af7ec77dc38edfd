/**
 * The pipeline CLI, run as a child process against a temporary DATA_DIR whose log was written
 * through the deciders: rebuild writes snapshots that status then shows, stats prints the
 * numbers of a small known history (now and as of a past moment). Its refusals are in
 * pipeline-cli-usage.test.ts.
 */
import t from 'tap';
import { runCli, tempDataDir } from './support/run-cli.js';
import { join } from 'node:path';
import { LANKAO, writeHistory } from './support/lankao-history.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { ReadModels } from '../../projections/runner/read-models.js';
import { openSnapshotStore } from '../../projections/runner/snapshot-store.js';

interface StatusJson {
  head: number;
  projections: { name: string; snapshotPosition: number | null; lag: number }[];
}

t.test('rebuild all writes every snapshot at the head; status shows them and the lag', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  const head = await writeHistory(dir);

  const before = await runCli(dir, ['status', '--json']);
  t.equal(before.code, 0, before.stderr);
  const unbuilt = JSON.parse(before.stdout) as StatusJson;
  t.equal(unbuilt.head, head);
  t.same(unbuilt.projections.map((p) => [p.snapshotPosition, p.lag]), [[null, head], [null, head], [null, head], [null, head]]);

  const rebuilt = await runCli(dir, ['rebuild', 'all']);
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.equal(rebuilt.stderr, '', 'no progress bar on a pipe');
  t.match(rebuilt.stdout, new RegExp(`^project-ledger, pipeline-statistics, compliance, batches: rebuilt from scratch over ${head} events`));

  const after = await runCli(dir, ['status', '--json']);
  t.equal(after.code, 0, after.stderr);
  const built = JSON.parse(after.stdout) as StatusJson;
  t.same(built.projections.map((p) => [p.name, p.snapshotPosition, p.lag]), [
    ['project-ledger', head, 0], ['pipeline-statistics', head, 0], ['compliance', head, 0], ['batches', head, 0],
  ]);

  const table = await runCli(dir, ['status']);
  t.equal(table.code, 0);
  t.match(table.stdout, /head\s+9\b/);
  t.match(table.stdout, /pipeline-statistics\s+\d+\s+9\s+2025-05-08T02:00:00.000Z\s+0/);
});

t.test('rebuild of one read model rebuilds the four, which share the project facts, and says so', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  const head = await writeHistory(dir);
  const rebuilt = await runCli(dir, ['rebuild', 'batches']);
  t.equal(rebuilt.code, 0, rebuilt.stderr);
  t.match(rebuilt.stdout, /batches is folded over the project facts it shares with the others: all four were rebuilt/);
  const status = JSON.parse((await runCli(dir, ['status', '--json'])).stdout) as StatusJson;
  t.same(status.projections.map((p) => p.snapshotPosition), [head, head, head, head]);
});

interface StatsJson {
  regionCode: string;
  position: number;
  asOfDate: string;
  signed: { count: number; investment: number; over1e8: { count: number; investment: number }; largest: number };
  started: { count: number; investment: number; over1e8: { count: number; investment: number }; over1e9: { count: number; investment: number } };
  reserve: { count: number; investment: number };
  completedInvestment: { period: number; ytd: number; sinceStart: number };
  conversion: { signed: number; started: number; startRate: number | null };
}

t.test('stats --json prints the numbers of the history, rolled up, now and as of a past moment', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  const head = await writeHistory(dir);

  const now = await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025', '--json']);
  t.equal(now.code, 0, now.stderr);
  const stats = JSON.parse(now.stdout) as StatsJson;
  t.equal(stats.position, head);
  t.same(stats.signed, { count: 1, investment: 20_000, over1e8: { count: 1, investment: 20_000 }, over1e9: { count: 0, investment: 0 }, largest: 20_000 });
  // 总投资: P1 its contract (20,000), P2 its planned (120,000, ≥ 10 亿).
  t.same(stats.started, { count: 2, investment: 140_000, over1e8: { count: 2, investment: 140_000 }, over1e9: { count: 1, investment: 120_000 } });
  t.same(stats.reserve, { count: 1, investment: 600, over1e8: { count: 0, investment: 0 }, over1e9: { count: 0, investment: 0 } });
  t.same(stats.completedInvestment, { period: 7_000, ytd: 7_000, sinceStart: 7_000 });
  t.match(stats.conversion, { signed: 1, started: 1, startRate: 1 });

  const city = JSON.parse((await runCli(dir, ['stats', '--region', '410200', '--year', '2025', '--quarter', '2', '--json'])).stdout) as StatsJson;
  t.match(city, { regionCode: '410200', started: { count: 1, investment: 120_000 }, completedInvestment: { period: 5_500 } }, '开封市 rolls 兰考 up; Q2 only');

  // Recorded by 2025-04-06 00:00Z: the three registrations, P1's signing, start and March report.
  const past = await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025', '--as-of', '2025-04-06T00:00:00Z', '--json']);
  t.equal(past.code, 0, past.stderr);
  const then = JSON.parse(past.stdout) as StatsJson;
  t.match(then, { position: 6, asOfDate: '2025-04-06', started: { count: 1, investment: 20_000 }, completedInvestment: { ytd: 1_500 }, reserve: { count: 2 } });

  const table = await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025']);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^410225 兰考县\s+2025\s+all categories/);
  t.match(table.stdout, /started 开工\s+2\s+140,000\.00\s+2\s+140,000\.00\s+1\s+120,000\.00/);
});

t.test('stats reads the read-model file but never writes it', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  await writeHistory(dir);
  t.equal((await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025', '--json'])).code, 0);
  const status = JSON.parse((await runCli(dir, ['status', '--json'])).stdout) as StatusJson;
  t.same(status.projections.map((p) => p.snapshotPosition), [null, null, null, null]);
});

t.test('stats --as-of reads the statistics\' history the server keeps, and replays where it does not reach', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  await writeHistory(dir);
  const replayed = await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025', '--as-of', '2025-04-06T00:00:00Z', '--json']);
  t.equal(replayed.code, 0, replayed.stderr);
  t.notMatch(replayed.stderr, /statistics' history/, 'no history yet: replayed');

  // The server's read models, with their history in statistics-history.db, fold the log and stop.
  const store = openEmbeddedStore({ path: join(dir, 'events.db') });
  const readModels = new ReadModels({ store, snapshots: openSnapshotStore(join(dir, 'read-models.db')), history: { path: join(dir, 'statistics-history.db') } });
  await readModels.start();
  t.ok(await readModels.caughtUp(10_000));
  await readModels.stop();
  await store.close();

  const indexed = await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025', '--as-of', '2025-04-06T00:00:00Z', '--json']);
  t.equal(indexed.code, 0, indexed.stderr);
  t.match(indexed.stderr, /as of 2025-04-06T00:00:00.000Z: read from the statistics' history in .*statistics-history\.db \(position 6\)/);
  t.same(JSON.parse(indexed.stdout), JSON.parse(replayed.stdout), 'the same answer as the replay');
  // After the last event the history holds, the log may have more: replayed.
  const later = await runCli(dir, ['stats', '--region', LANKAO, '--year', '2025', '--as-of', '2025-06-01T00:00:00Z', '--json']);
  t.equal(later.code, 0, later.stderr);
  t.notMatch(later.stderr, /statistics' history/);
  t.match(JSON.parse(later.stdout), { position: 9, started: { count: 2 } });
});
