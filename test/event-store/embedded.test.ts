import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { eventStoreContract } from './contract.js';

t.test('embedded store in memory', async (t) => {
  eventStoreContract(t, { open: async () => openEmbeddedStore({ path: ':memory:' }) });
});

t.test('embedded store in a file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'events.db');
  eventStoreContract(t, {
    open: async () => openEmbeddedStore({ path }),
    reopen: async (store) => {
      await store.close();
      return openEmbeddedStore({ path });
    },
  });
});
