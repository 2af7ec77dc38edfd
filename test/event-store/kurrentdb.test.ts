/**
 * The event store contract against the KurrentDB adapter: always on the in-process gRPC
 * stand-in, through both ways the driver appends (BatchAppend, which real servers advertise,
 * and plain Append), and on a real server when ESDB_CONNECTION_STRING is set, e.g.
 *   docker compose up -d kurrentdb
 *   ESDB_CONNECTION_STRING='esdb://127.0.0.1:2113?tls=false' npx tap test/event-store/kurrentdb.test.ts
 */
import t from 'tap';
import { openKurrentDbStore } from '../../src/event-store/kurrentdb/kurrentdb-store.js';
import { startStandIn, type StandIn } from '../kurrentdb-standin/index.js';
import { eventStoreContract } from './contract.js';

for (const batchAppend of [true, false]) {
  t.test(`KurrentDB adapter on the gRPC stand-in, appending through ${batchAppend ? 'BatchAppend' : 'Append'}`, async (t) => {
    let standIn: StandIn | undefined;
    eventStoreContract(t, {
      open: async () => {
        standIn = await startStandIn({ batchAppend });
        return openKurrentDbStore(standIn.connectionString);
      },
      reopen: async (store) => {
        await store.close();
        return openKurrentDbStore(standIn?.connectionString ?? '');
      },
      breakSubscriptions: async (store) => {
        standIn?.dropSubscriptions();
        return store;
      },
    });
    t.teardown(() => standIn?.stop());
  });
}

const connectionString = process.env['ESDB_CONNECTION_STRING'];
t.test('KurrentDB adapter on a real server', {
  skip: connectionString ? false : 'ESDB_CONNECTION_STRING is not set: no real KurrentDB to test against',
}, async (t) => {
  if (!connectionString) return;
  eventStoreContract(t, {
    open: () => openKurrentDbStore(connectionString),
    reopen: async (store) => {
      await store.close();
      return openKurrentDbStore(connectionString);
    },
  });
});
