/**
 * The pipeline CLI's refusals, run as a child process (split from pipeline-cli.test.ts: each
 * run starts node, and one file of them all outran tap's per-file timeout on a loaded machine):
 * an unknown region, a bad command line, a DATA_DIR without a store.
 */
import t from 'tap';
import { join } from 'node:path';
import { runCli, tempDataDir } from './support/run-cli.js';
import { LANKAO, writeHistory } from './support/lankao-history.js';

t.test('stats refuses a region that does not exist, as HTTP does, instead of answering zeros', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  await writeHistory(dir);
  const run = await runCli(dir, ['stats', '--region', '999999', '--year', '2025', '--json']);
  t.equal(run.code, 2, 'a non-zero exit (a bad argument)');
  t.match(run.stderr, /--region 999999 is not known: it is neither a GB\/T 2260 code nor a custom region/);
  t.equal(run.stdout, '', 'no statistics');
  t.equal((await runCli(dir, ['stats', '--region', '000000', '--year', '2025', '--json'])).code, 0, 'the whole country is a region');
});

t.test('a bad command line exits 2 with a message and the usage', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  await writeHistory(dir);
  const cases: [string[], RegExp][] = [
    [[], /no command given/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [['rebuild'], /rebuild needs a projection name or all/],
    [['rebuild', 'ledger'], /unknown projection 'ledger'/],
    [['stats', '--year', '2025'], /stats needs --region/],
    [['stats', '--region', '4102', '--year', '2025'], /--region 4102 is not a GB\/T 2260 code/],
    [['stats', '--region', LANKAO, '--year', '2025', '--quarter', '5'], /--quarter 5 is not a whole number from 1 to 4/],
    [['stats', '--region', LANKAO, '--year', '2025', '--quarter', '1', '--month', '2'], /not both/],
    [['stats', '--region', LANKAO, '--year', '2025', '--as-of', 'yesterday'], /--as-of yesterday is not an ISO 8601 time/],
    [['status', '--verbose'], /Unknown option '--verbose'/],
    [['status', '--region', LANKAO], /status takes no --region/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli(dir, args);
    t.equal(run.code, 2, `${args.join(' ')} exits 2`);
    t.match(run.stderr, message, `${args.join(' ')} says why`);
    t.match(run.stderr, /usage: npm run pipeline -- <command>/);
    t.equal(run.stdout, '');
  }
  const help = await runCli(dir, ['help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /rebuild <projection\|all>/);
});

t.test('a DATA_DIR without a store is a failure (exit 1), and nothing is created there', async (t) => {
  const { dir, remove } = tempDataDir();
  t.teardown(remove);
  const missing = join(dir, 'nowhere');
  const run = await runCli(missing, ['status']);
  t.equal(run.code, 1);
  t.match(run.stderr, /no event store at .*nowhere\/events\.db/);
  const again = await runCli(missing, ['rebuild', 'all']);
  t.equal(again.code, 1);
});
