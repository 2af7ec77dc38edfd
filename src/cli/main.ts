/**
 * The pipeline CLI: `npm run pipeline -- <command>` (arguments.ts has the usage). It reads the
 * server's configuration from the environment and opens the same store and read-model file.
 * Answers go to stdout, progress and errors to stderr. Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { ConfigError, loadConfig, type Config } from '../config.js';
import type { EventStore } from '../event-store/port.js';
import { officialRegions } from '../regions/official-regions.js';
import type { RunnerLogger } from '../../projections/runner/projection-runner.js';
import type { SnapshotStore } from '../../projections/runner/snapshot-store.js';
import { USAGE, UsageError, parseCommandLine, type CliCommand } from './arguments.js';
import { formatCount, formatDuration, progressModeFor } from './progress.js';
import { openConfiguredStore, openSnapshots, readModelsPath, statisticsHistoryPath } from './read-side.js';
import { rebuild } from './rebuild.js';
import { UnknownRegionArgument, pipelineStats } from './stats.js';
import { statsTable } from './stats-table.js';
import { storeStatus, statusTable } from './status.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const out = (text: string) => { process.stdout.write(`${text}\n`); };
const err = (text: string) => { process.stderr.write(`${text}\n`); };

const logger: RunnerLogger = {
  info: () => undefined,
  error: (details, message) => err(`${message}: ${JSON.stringify(details, (_key, value: unknown) => (value instanceof Error ? value.message : value))}`),
};

export async function runCli(args: readonly string[]): Promise<number> {
  let command: CliCommand;
  let config: Config;
  try {
    command = parseCommandLine(args);
    if (command.kind === 'help') {
      out(USAGE);
      return EXIT_OK;
    }
    config = loadConfig();
  } catch (error) {
    if (error instanceof UsageError) {
      err(`pipeline: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      err(`pipeline: ${error.message}`);
      return EXIT_USAGE;
    }
    throw error;
  }
  let store: EventStore | undefined;
  let snapshots: SnapshotStore | undefined;
  try {
    // Only an import writes: it takes the store's writer lock, so it is refused (naming the
    // server) while a server runs on this DATA_DIR. Everything else reads beside the server.
    store = await openConfiguredStore(config, command.kind === 'import' && !command.dryRun ? 'writer' : 'reader');
    snapshots = openSnapshots(config, command.kind === 'rebuild');
    return await execute(command, config, store, snapshots);
  } catch (error) {
    err(`pipeline: ${error instanceof Error ? error.message : String(error)}`);
    return error instanceof UnknownRegionArgument ? EXIT_USAGE : EXIT_FAILURE;
  } finally {
    snapshots?.close();
    await store?.close();
  }
}

async function execute(command: Exclude<CliCommand, { kind: 'help' }>, config: Config, store: EventStore, snapshots: SnapshotStore): Promise<number> {
  const progress = progressModeFor(process.stderr);
  switch (command.kind) {
    case 'rebuild': {
      const result = await rebuild(command.projections, { store, snapshots, progress, logger, historyPath: statisticsHistoryPath(config) });
      const names = result.names.join(', ');
      if (result.position === 0) {
        out(`${names}: the log is empty, no snapshot written`);
        return EXIT_OK;
      }
      const rate = result.seconds > 0 ? result.position / result.seconds : 0;
      out(`${names}: rebuilt from scratch over ${formatCount(result.position)} events in ${formatDuration(result.seconds)} ` +
        `(${formatCount(rate)} events/s); snapshots at position ${formatCount(result.position)} in ${readModelsPath(config)}` +
        (result.asked === undefined ? '' : `\n(${result.asked} is folded over the project facts it shares with the others: all four were rebuilt)`));
      return EXIT_OK;
    }
    case 'stats': {
      const stats = await pipelineStats(command.query, {
        store, snapshots, progress, logger, now: () => new Date(), statisticsHistoryPath: statisticsHistoryPath(config), note: err,
      });
      out(command.json ? JSON.stringify(stats, null, 2) : statsTable(stats, officialRegions().get(stats.regionCode)?.name));
      return EXIT_OK;
    }
    case 'status': {
      const status = await storeStatus(store, snapshots, readModelsPath(config));
      out(command.json ? JSON.stringify(status, null, 2) : statusTable(status));
      return EXIT_OK;
    }
    case 'import': {
      // Loaded for this command only: reading workbooks brings in exceljs, which the others never need.
      const { importFile, importTable } = await import('./import.js');
      const answer = await importFile(command.file, command.dryRun, { store, snapshots, config, progress, logger, now: () => new Date() });
      out(command.json ? JSON.stringify(answer, null, 2) : importTable(answer));
      return answer.summary.refused > 0 ? EXIT_FAILURE : EXIT_OK;
    }
    default: {
      const unhandled: never = command;
      return unhandled;
    }
  }
}

runCli(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    err(`pipeline: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exitCode = EXIT_FAILURE;
  },
);
