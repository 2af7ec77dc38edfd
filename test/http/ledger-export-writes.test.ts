/**
 * The whole-province CSV while commands arrive: it streams for many turns of the loop, the
 * commands are answered and folded meanwhile, and still every row is of the one position in
 * `X-Position` (the ledger folded from the log up to it), each project once. The same for the
 * workbook, whose rows are made a slice per turn.
 */
import t from 'tap';
import type * as Tap from 'tap';
import { eventSchemas } from '../../commands/project/events.js';
import { toJsonObject } from '../../commands/shared/json.js';
import { chinaDateOf } from '../../commands/shared/dates.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { EventStore } from '../../src/event-store/port.js';
import { foldAll } from '../../projections/projection.js';
import { allReadModels } from '../../projections/all-read-models.js';
import { complianceFlags } from '../../projections/compliance/index.js';
import { LEDGER_COLUMNS, ledgerCells, ledgerCsv } from '../../projections/project-ledger/index.js';
import ExcelJS from 'exceljs';
import type { ZodApp } from '../../src/http/zod-app.js';
import { buildTestApp } from './build-test-app.js';

const FAST = { RATE_LIMIT_PER_MINUTE: '1000000' };
const SEEDED = 6_000;

const project = (projectId: string, i: number) => ({
  projectId, name: `项目${i}, 第${i % 7}期`, regionCode: i % 3 === 0 ? '131122' : '131121', industry: 'C', category: 'industrial', origin: 'local',
  plannedInvestment: 1000 + i, occurredOn: '2025-01-06',
});

/** An app on a store seeded straight with SEEDED projects (only the download and the commands beside it go through HTTP), caught up. */
async function seededApp(t: Tap.Test) {
  const store = openEmbeddedStore({ path: ':memory:' });
  for (let i = 0; i < SEEDED; i++) {
    const data = eventSchemas.ProjectRegistered.parse(project(`W-${i}`, i));
    await store.appendToStream(`project-W-${i}`, [{ type: 'ProjectRegistered', data: toJsonObject(data) }]);
  }
  const { app } = await buildTestApp(FAST, store);
  t.teardown(async () => { await app.close(); await store.close(); });
  t.equal((await app.inject({ url: `/v1/projects?limit=1&minPosition=${SEEDED}` })).statusCode, 200, 'caught up');
  return { app, store };
}

/**
 * Sends commands until `download` is answered, from the last registered project backwards
 * (rows not sent yet): starts, and every fourth a new registration. Their positions.
 */
async function commandsDuring(t: Tap.Test, app: ZodApp, download: Promise<unknown>): Promise<number[]> {
  let finished = false;
  void download.then(() => { finished = true; }, () => { finished = true; });
  const answered: number[] = [];
  for (let k = 0; !finished && k < 2_000; k++) {
    const res = k % 4 === 3
      ? await app.inject({ method: 'POST', url: '/v1/projects', payload: project(`NEW-${k}`, SEEDED + k) })
      : await app.inject({ method: 'POST', url: `/v1/projects/W-${SEEDED - 1 - k}/milestones`, payload: { type: 'Started', occurredOn: '2025-03-02' } });
    if (res.statusCode !== 201) t.fail(`command ${k}: ${res.statusCode} ${res.body}`);
    answered.push(res.json().position as number);
  }
  return answered;
}

/** The read models folded from the log up to `position`. */
async function foldedTo(store: EventStore, position: number) {
  return foldAll(allReadModels, (await store.readAll({ maxCount: 1_000_000 })).filter((event) => event.position <= position));
}

/**
 * Downloads the whole ledger as `accept` while commands are answered beside it; the answer, the
 * position it says it is of, and the positions of the commands (some of them after it).
 */
async function downloadDuringCommands(t: Tap.Test, app: ZodApp, accept: string) {
  const download = app.inject({ url: '/v1/projects', headers: { accept } });
  const answered = await commandsDuring(t, app, download);
  const res = await download;
  t.equal(res.statusCode, 200);
  const position = Number(res.headers['x-position']);
  const after = answered.filter((p) => p > position).length;
  t.ok(after > 0, `commands were folded while the download was made (${answered.length} answered, ${after} after its X-Position ${position})`);
  return { res, position, answered };
}

t.test('the CSV streamed while commands are answered is the ledger at its X-Position, every row once', async (t) => {
  const { app, store } = await seededApp(t);

  const today = chinaDateOf(new Date());
  const { res, position, answered } = await downloadDuringCommands(t, app, 'text/csv');
  t.ok(position >= SEEDED, `X-Position ${position}`);

  const then = await foldedTo(store, position);
  const expected = ledgerCsv(then.compliance, complianceFlags(then.compliance, today), {});
  const body = res.rawPayload.toString('utf8');
  t.equal(body.split('\r\n').length - 2, then.compliance.order.length, 'one row per project registered by then, and no more');
  t.ok(body === expected, 'the rows are the ledger folded from the log up to X-Position');

  const now = await app.inject({ url: `/v1/projects?minPosition=${Math.max(...answered)}`, headers: { accept: 'text/csv' } });
  t.not(now.rawPayload.toString('utf8'), body, 'and the ledger did change under it');
});

t.test('the workbook made while commands are answered is the ledger at its X-Position', async (t) => {
  const { app, store } = await seededApp(t);

  const today = chinaDateOf(new Date());
  const { res, position } = await downloadDuringCommands(t, app, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');

  const then = await foldedTo(store, position);
  const expected = [...ledgerCells(then.compliance, complianceFlags(then.compliance, today), {})];
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.rawPayload.buffer.slice(res.rawPayload.byteOffset, res.rawPayload.byteOffset + res.rawPayload.length) as ArrayBuffer);
  const sheet = book.worksheets[0];
  const stageColumn = LEDGER_COLUMNS.findIndex(({ header }) => header === '阶段') + 1;
  const rows: string[][] = [];
  sheet?.eachRow((row, number) => { if (number > 1) rows.push([String(row.getCell(1).value), String(row.getCell(stageColumn).value)]); });
  t.equal(rows.length, expected.length, 'one row per project registered by then');
  t.same(rows, expected.map((cells) => [cells[0], cells[stageColumn - 1]]), 'each with its stage at X-Position');
});

t.test('a download whose client stops reading ends when its connection times out', async (t) => {
  // Rows of ~600 bytes: 30,000 of them are more than the sockets' buffers take, so the server waits on the client.
  const store = openEmbeddedStore({ path: ':memory:' });
  const rows = 30_000;
  for (let i = 0; i < rows; i++) {
    const data = eventSchemas.ProjectRegistered.parse({ ...project(`S-${i}`, i), name: `${'长'.repeat(150)}${i}` });
    await store.appendToStream(`project-S-${i}`, [{ type: 'ProjectRegistered', data: toJsonObject(data) }]);
  }
  const { app } = await buildTestApp({ ...FAST, CONNECTION_TIMEOUT_MS: '500' }, store);
  t.teardown(async () => { await app.close(); await store.close(); });
  t.ok(await app.readModels.caughtUp(60_000), 'caught up');

  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  // The server's end of the download's connection (a paused client does not read the close).
  let closed = false;
  app.server.once('connection', (socket: import('node:net').Socket) => { socket.once('close', () => { closed = true; }); });
  const { request } = await import('node:http');
  let received = 0;
  const download = request({ host: '127.0.0.1', port, path: '/v1/projects', headers: { accept: 'text/csv' } }, (res) => {
    res.once('data', (chunk: Buffer) => {
      received += chunk.length;
      res.pause(); // and never reads again
    });
  });
  download.on('error', () => undefined).end();
  t.teardown(() => { download.destroy(); });
  for (let i = 0; i < 1_000 && received === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.ok(received > 0 && received < 1_000_000, `the client read ${received} bytes of ~18 MB, then stopped`);
  t.notOk(closed, 'the download is open while the client stalls');
  // CONNECTION_TIMEOUT_MS after the last byte moved, the server closes the socket.
  for (let i = 0; i < 200 && !closed; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  t.ok(closed, 'and the server closed it');
  const answer = await app.inject({ url: '/v1/projects?limit=1' });
  t.equal(answer.statusCode, 200, 'while the server answers on');
});
