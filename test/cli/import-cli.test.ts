/**
 * `npm run pipeline -- import FILE [--dry-run]` as an operator runs it, in a child process,
 * against a temporary DATA_DIR: the dry run answers and writes nothing, the import appends the
 * good rows, a second import appends nothing, and a bad file fails with its reason.
 */
import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { messyLedger } from '../excel/support/messy-ledger.js';
import { runCli, tempDataDir } from './support/run-cli.js';

t.test('import: dry run, real run, again; and a bad file', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  (await openEmbeddedStore({ path: join(dir, 'events.db') })).close();
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const ledger = await messyLedger({ rows: 60, seed: 5, today, errorEvery: 15 });
  const file = join(dir, '台账.xlsx');
  writeFileSync(file, ledger.bytes);
  const head = async () => {
    const store = openEmbeddedStore({ path: join(dir, 'events.db') });
    try { return await store.headPosition(); } finally { await store.close(); }
  };

  const dry = await runCli(dir, ['import', file, '--dry-run', '--json']);
  t.equal(dry.code, 1, 'refused rows: exit 1');
  const answer = JSON.parse(dry.stdout) as { dryRun: boolean; summary: { accepted: number; refused: number; events: number } };
  t.equal(answer.dryRun, true);
  t.equal(answer.summary.accepted, ledger.goodRows.length);
  t.equal(answer.summary.refused, ledger.planted.length);
  t.equal(await head(), 0, 'a dry run writes nothing');

  const real = await runCli(dir, ['import', file]);
  t.match(real.stdout, new RegExp(`${ledger.goodRows.length} accepted \\(${ledger.goodEvents} events appended\\)`));
  for (const planted of ledger.planted) t.match(real.stdout, new RegExp(`row ${planted.row} [A-Z]+${planted.row} ${planted.column}`), `row ${planted.row} ${planted.column} is named`);
  t.equal(await head(), ledger.goodEvents, 'the good rows\' events');

  const again = await runCli(dir, ['import', file, '--json']);
  t.equal((JSON.parse(again.stdout) as { summary: { unchanged: number } }).summary.unchanged, ledger.goodRows.length);
  t.equal(await head(), ledger.goodEvents, 'a second import appends nothing');

  const bad = join(dir, 'photo.xlsx');
  writeFileSync(bad, Buffer.from('89504e470d0a1a0a', 'hex'));
  const refused = await runCli(dir, ['import', bad]);
  t.equal(refused.code, 1);
  t.match(refused.stderr, /not an \.xlsx workbook/);
  const usage = await runCli(dir, ['import']);
  t.equal(usage.code, 2);
});
