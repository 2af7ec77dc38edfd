/**
 * A real full disk: the store's directory is a tmpfs of 1 MiB this test mounts (it needs root,
 * as CI runs; elsewhere it says why it cannot run). A small page cache makes SQLite spill a
 * group's pages into the WAL mid-transaction, so the disk fills up in the middle of a group,
 * where SQLite may roll the whole transaction back.
 *
 * What must hold: a group fails whole (no append of it committed, every one answered
 * StoreUnavailable), nothing acknowledged is lost, nothing refused is visible, live subscribers
 * hear exactly what was committed, ping() (and so /readyz) fails while appends fail, and once
 * the disk has room again everything works without a restart.
 */
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import { StoreUnavailable, StreamNotFound } from '../../src/event-store/errors.js';
import type { RecordedEvent } from '../../src/event-store/port.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';

interface SmallDisk {
  readonly dir: string;
  resize(size: string): void;
  remove(): void;
}

function mountSmallDisk(size: string): SmallDisk | string {
  const dir = mkdtempSync(join(tmpdir(), 'full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    return `cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): ${String(error).split('\n')[0]}`;
  }
  return {
    dir,
    resize: (to) => execFileSync('mount', ['-o', `remount,size=${to}`, dir], { stdio: 'pipe' }),
    remove: () => {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const probe = mountSmallDisk('1m');
if (typeof probe === 'string') {
  t.test('a real full disk', { skip: probe }, async () => undefined);
} else {
  probe.remove();
  runFullDiskTests();
}

function runFullDiskTests(): void {
  const filler = 'x'.repeat(3000);

  t.test('the embedded store on a disk that fills up mid-group', async (t) => {
    const disk = mountSmallDisk('1m');
    if (typeof disk === 'string') throw new Error(disk);
    t.teardown(() => disk.remove());
    const path = join(disk.dir, 'events.db');
    let store = openEmbeddedStore({ path, cacheSizeKiB: 64 });
    t.teardown(() => store.close());

    const heard: RecordedEvent[] = [];
    const subscription = store.subscribeToAll();
    const listening = (async () => { for await (const event of subscription) heard.push(event); })();

    const acknowledged = new Map<string, number>();
    const refused: string[] = [];
    let mixed = 0;
    let failedRounds = 0;
    const rounds: string[] = [];
    for (let round = 0; round < 400 && failedRounds < 3; round++) {
      // One group: every append issued in the same turn of the event loop.
      const streams = Array.from({ length: 24 }, () => `project-${randomUUID()}`);
      const outcomes = await Promise.allSettled(streams.map((streamId, i) =>
        store.appendToStream(streamId, [{ type: 'Reported', data: { round, i, filler } }], { expectedRevision: 'no_stream' })));
      const ok = outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
      if (ok > 0 && ok < outcomes.length) mixed += 1;
      if (ok < outcomes.length) failedRounds += 1;
      rounds.push(`${ok}/${outcomes.length}`);
      outcomes.forEach((outcome, i) => {
        const streamId = streams[i] ?? '';
        if (outcome.status === 'fulfilled') acknowledged.set(streamId, outcome.value.position);
        else {
          refused.push(streamId);
          if (!(outcome.reason instanceof StoreUnavailable)) t.fail(`refused with ${String(outcome.reason)}, not StoreUnavailable`);
        }
      });
    }
    t.ok(acknowledged.size > 0, `appends succeeded while there was room (${acknowledged.size})`);
    t.ok(failedRounds > 0, `the disk filled up (groups: ${rounds.join(' ')})`);
    t.equal(mixed, 0, 'every group either committed whole or failed whole');
    await t.rejects(store.ping(), StoreUnavailable, 'ping fails while appends fail');

    const checkLog = async (when: string): Promise<void> => {
      let lost = 0;
      let visible = 0;
      for (const [streamId, position] of acknowledged) {
        const [event] = await store.readStream(streamId).catch(() => []);
        if (event?.position !== position) lost += 1;
      }
      for (const streamId of refused) {
        const found = await store.readStream(streamId).then(() => true, (error: unknown) => !(error instanceof StreamNotFound));
        if (found) visible += 1;
      }
      t.equal(lost, 0, `${when}: nothing acknowledged is lost`);
      t.equal(visible, 0, `${when}: nothing refused is visible`);
    };
    await checkLog('on the full disk');
    await new Promise((resolve) => setImmediate(resolve));
    t.same(new Set(heard.map((event) => event.streamId)), new Set(acknowledged.keys()), 'the subscriber heard exactly the committed appends');

    disk.resize('64m');
    await t.resolves(store.ping(), 'ping recovers once the disk has room, without a restart');
    const after = await store.appendToStream(`project-${randomUUID()}`, [{ type: 'Reported', data: { filler } }]);
    t.ok(after.position > Math.max(...acknowledged.values()), 'appends work again');
    await new Promise((resolve) => setImmediate(resolve));
    t.equal(heard.at(-1)?.position, after.position, 'and the subscriber hears them');

    await subscription.close();
    await listening;
    await store.close();
    store = openEmbeddedStore({ path });
    await checkLog('after reopening');
  });

  t.test('over HTTP: 503 PIPELINE_STORE_UNAVAILABLE and /readyz 503 while the disk is full, then well again', async (t) => {
    const disk = mountSmallDisk('1m');
    if (typeof disk === 'string') throw new Error(disk);
    t.teardown(() => disk.remove());
    const store = openEmbeddedStore({ path: join(disk.dir, 'events.db'), cacheSizeKiB: 64 });
    const app = await buildApp({ store, config: loadConfig({ AUTH: 'off', DATA_DIR: disk.dir, RATE_LIMIT_PER_MINUTE: '1000000' }) });
    t.teardown(async () => {
      await app.close();
      await store.close();
    });
    await app.ready();

    const register = (n: number) => app.inject({
      method: 'POST',
      url: '/v1/projects',
      payload: {
        projectId: `ZQ-2025-${String(n).padStart(4, '0')}`,
        name: `枣强县复合材料产业园 ${'扩建'.repeat(90)}`,
        regionCode: '131121',
        industry: 'C',
        category: 'industrial',
        origin: 'attracted',
        plannedInvestment: 52000.5,
        occurredOn: '2025-01-06',
      },
    });
    const created: string[] = [];
    const unavailable: string[] = [];
    for (let n = 1; n < 2000 && unavailable.length < 10; n += 8) {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => register(n + i)));
      answers.forEach((answer, i) => {
        const id = `ZQ-2025-${String(n + i).padStart(4, '0')}`;
        if (answer.statusCode === 201) created.push(id);
        else if (answer.statusCode === 503) {
          unavailable.push(id);
          t.equal(answer.json().code, 'PIPELINE_STORE_UNAVAILABLE', `${id}: the store is unavailable`);
          t.match(answer.headers['content-type'], /application\/problem\+json/);
        } else t.fail(`${id}: ${answer.statusCode} ${answer.body}`);
      });
    }
    t.ok(created.length > 0 && unavailable.length > 0, `${created.length} created before the disk filled, then ${unavailable.length} refused`);
    const ready = await app.inject({ url: '/readyz' });
    t.equal(ready.statusCode, 503, '/readyz says the store cannot take appends');
    t.match(ready.json().detail, /appends have been failing/);

    for (const id of unavailable) {
      const read = await app.inject({ url: `/v1/projects/${id}` });
      if (read.statusCode !== 404) t.fail(`${id} was refused but reads ${read.statusCode}`);
    }
    disk.resize('64m');
    const recovered = await app.inject({ url: '/readyz' });
    t.equal(recovered.statusCode, 200, '/readyz recovers once there is room');
    const again = await register(5000);
    t.equal(again.statusCode, 201, 'commands succeed again without a restart');
    for (const id of created) {
      const read = await app.inject({ url: `/v1/projects/${id}` });
      if (read.statusCode !== 200) t.fail(`${id} was created but reads ${read.statusCode}`);
    }
    t.pass(`${created.length} acknowledged projects all read back`);
  });
}
