/**
 * Acknowledged means durable: a writer killed with SIGKILL while appends are in flight
 * loses no acknowledged append and leaves no half-written group.
 */
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

async function runAndKill(path: string, acknowledgementsBeforeKill: number): Promise<Map<string, number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, path, '32'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged = new Map<string, number>();
  let seen = 0;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        const [streamId, revision] = line.split(' ');
        if (!streamId || revision === undefined) continue;
        acknowledged.set(streamId, Math.max(acknowledged.get(streamId) ?? -1, Number(revision)));
        seen += 1;
      }
      if (seen >= acknowledgementsBeforeKill && child.exitCode === null) child.kill('SIGKILL');
    });
  });
  return acknowledged;
}

t.test('SIGKILL during appends loses nothing acknowledged and leaves no half group', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'events.db');

  for (const round of [1, 2]) {
    // The second round writes on top of the crashed file: recovery and then more appends.
    const acknowledged = await runAndKill(path, 3000 * round);
    t.ok(acknowledged.size > 0, `round ${round}: the writer acknowledged appends before it was killed`);

    const store = openEmbeddedStore({ path });
    for (const [streamId, revision] of acknowledged) {
      const events = await store.readStream(streamId);
      const last = events.at(-1)?.revision ?? -1;
      if (last < revision) t.fail(`${streamId}: acknowledged up to ${revision}, found ${last}`);
      if (events.length % 3 !== 0) t.fail(`${streamId}: ${events.length} events is not whole groups of 3`);
      for (let i = 0; i < events.length; i += 3) {
        const groups = new Set(events.slice(i, i + 3).map((e) => e.data['group']));
        if (groups.size !== 1) t.fail(`${streamId}: a group at revision ${i} is mixed`);
      }
    }
    const all = await store.readAll();
    t.ok(all.every((e, i) => i === 0 || e.position > (all[i - 1]?.position ?? 0)), `round ${round}: the log is in order`);
    t.pass(`round ${round}: ${acknowledged.size} streams checked, ${all.length} events on disk`);
    await store.close();
  }
});
