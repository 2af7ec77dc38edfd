/**
 * The entry point: read the configuration, open the store, build the app, listen; on SIGTERM
 * or SIGINT stop accepting, let in-flight commands finish, close the store, exit.
 */
import { pino } from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openStore } from './event-store/open-store.js';
import { isEventStoreError } from './event-store/errors.js';
import { buildApp } from './http/app.js';
import { join } from 'node:path';
import { openSnapshotStore } from '../projections/runner/snapshot-store.js';
import { LogTree } from './log-tree/log-tree.js';
import { loadSigningKeys } from './log-tree/signing-key.js';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'pipeline' } });
  const store = await openStore(config);
  logger.info({ store: store.kind, dataDir: config.DATA_DIR }, 'event store open');
  const snapshots = openSnapshotStore(join(config.DATA_DIR, 'read-models.db'));
  const statisticsHistoryPath = join(config.DATA_DIR, 'statistics-history.db');
  const keys = loadSigningKeys({
    dataDir: config.DATA_DIR, origin: config.LOG_ORIGIN, signingKey: config.LOG_SIGNING_KEY, previousSigningKey: config.LOG_PREVIOUS_SIGNING_KEY,
  });
  logger.info({ source: keys.source, path: keys.path, verifierKey: keys.signers[0]?.verifierKey, origin: config.LOG_ORIGIN },
    keys.source === 'generated' ? 'made the log\'s signing key (keep it with the data; see README, "The verifiable log")' : 'the log\'s signing key');
  const logTree = new LogTree({
    store, path: join(config.DATA_DIR, 'log-tree.db'), origin: config.LOG_ORIGIN, signers: keys.signers, logger,
    // The embedded store's file is read by the tree's worker thread directly.
    ...(config.EVENT_STORE === 'embedded' ? { eventsPath: join(config.DATA_DIR, 'events.db') } : {}),
  });
  const app = await buildApp({ store, config, logger, snapshots, statisticsHistoryPath, logTree });

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down: finishing in-flight requests');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    app.close()
      .then(() => store.close())
      .then(() => {
        logger.info('stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => {
  // The store's refusals (another writer, a server too old, a file it cannot open) say what to
  // do in their message: a stack trace would only bury it.
  const told = isEventStoreError(error) ? error.message : error instanceof Error ? error.stack ?? error.message : String(error);
  process.stderr.write(`failed to start: ${told}\n`);
  process.exit(1);
});
