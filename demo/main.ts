/**
 * npm run demo: a fresh embedded store filled with a generated history (demo-store.ts), the
 * server started on it (as `npm start` runs it), a dashboard key and a bureau key issued, and
 * the dashboard's address printed. Ctrl-C stops it.
 *
 *   npm run demo [-- --events 100000] [--port 3000] [--dir data/demo] [--seed 1]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chinaDateOf } from '../commands/shared/dates.js';
import { formatCount, formatDuration } from '../src/cli/progress.js';
import { newSecret } from '../src/http/auth/key-secrets.js';
import { DEMO_CITY, fillDemoStore } from './demo-store.js';
import { issueKey, startServerProcess } from './server-process.js';

const USAGE = 'usage: npm run demo [-- --events <n>] [--port <n>] [--dir <directory>] [--seed <n>]';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        events: { type: 'string', default: '100000' },
        port: { type: 'string', default: process.env['PORT'] ?? '3000' },
        dir: { type: 'string', default: join('data', 'demo') },
        seed: { type: 'string', default: '1' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
  const events = Number(values.events);
  const port = Number(values.port);
  const seed = Number(values.seed);
  if (!Number.isInteger(events) || events < 1_000 || events > 5_000_000 || !Number.isInteger(port) || port < 1 || port > 65_535 || !Number.isInteger(seed)) {
    process.stderr.write(`${USAGE}\n  --events between 1000 and 5000000\n`);
    process.exit(2);
  }
  const dir = resolve(values.dir);
  const started = performance.now();

  process.stderr.write(`项目为王 demo: generating ${formatCount(events)} events for 开封市 and its counties into ${dir}\n`);
  const filled = await fillDemoStore({ dir, events, seed, log: () => undefined });
  const generatedIn = (performance.now() - started) / 1000;
  process.stderr.write(`  ${formatCount(filled.events)} events, ${formatCount(filled.projects)} projects, ${filled.batches} 集中开工 batches, ${filled.from} … ${filled.to}, in ${formatDuration(generatedIn)}\n`);

  const adminKey = process.env['ADMIN_KEY'] ?? newSecret();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'admin.key'), `${adminKey}\n`, { mode: 0o600 });
  const logFile = join(dir, 'server.log');
  process.stderr.write(`  starting the server on port ${port} (its log: ${logFile}) …\n`);
  const server = await startServerProcess({ dataDir: dir, port, env: { ADMIN_KEY: adminKey }, logFile });
  const dashboard = await issueKey(server.url, adminKey, { name: '开封市 大屏 (demo)', role: 'dashboard', regions: [DEMO_CITY] });
  const bureau = await issueKey(server.url, adminKey, { name: '开封市重点项目办 (demo)', role: 'bureau', regions: [DEMO_CITY] });
  const ready = (performance.now() - started) / 1000;

  process.stdout.write([
    '',
    `项目为王 demo ready in ${formatDuration(ready)}: ${server.url}`,
    '',
    `  dashboard    ${server.url}/dashboard#key=${dashboard.key}`,
    `  大屏 mode     ${server.url}/dashboard?screen=1#key=${dashboard.key}`,
    '',
    `  dashboard key (开封市 ${DEMO_CITY}): ${dashboard.key}`,
    `  bureau key    (开封市 ${DEMO_CITY}): ${bureau.key}`,
    `  admin key     (000000): in ${join(dir, 'admin.key')}`,
    '',
    `  API docs     ${server.url}/docs`,
    `  try a milestone: curl -H 'Authorization: Bearer ${bureau.key}' -H 'content-type: application/json' \\`,
    `                     -d '{"name":"演示项目","regionCode":"410225","industry":"C","category":"industrial","origin":"local","plannedInvestment":12000,"occurredOn":"${chinaDateOf(new Date())}"}' \\`,
    `                     ${server.url}/v1/projects`,
    '',
    'Ctrl-C stops the server.',
    '',
  ].join('\n'));

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`\n${signal}: stopping the server …\n`);
    void server.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  server.child.once('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`the server stopped by itself (${code ?? signal ?? '?'}):\n${server.logTail()}\n`);
    process.exit(1);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
