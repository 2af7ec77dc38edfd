/**
 * Every bad file gets its status, as problem+json with a registry code, never a 500: not a
 * spreadsheet (415), no header row, an empty sheet, formulas, merged cells, hidden sheets (400),
 * a 50 MB file, a zip bomb, a sheet of too many rows (413). Nothing is written by any of them.
 */
import t from 'tap';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { buildExcelTestApp, XLSX } from './excel-test-app.js';

interface Problem { status: number; code: string; detail: string }

const HEADER = ['项目名称', '所在地区', '行业', '项目类型', '计划总投资（万元）', '开工日期'];

async function workbook(build: (book: ExcelJS.Workbook, sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('台账');
  sheet.addRow(HEADER);
  sheet.addRow(['枣强县复合材料产业园', '131121', 'C', '工业', 12_000, new Date('2025-03-01T00:00:00Z')]);
  build(book, sheet);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** A zip of these entries, deflated, with sizes as declared (a lie when `declare` says so). */
function zipOf(entries: readonly { name: string; content: Buffer; declare?: number }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, content, declare } of entries) {
    const data = deflateRawSync(content);
    const nameBytes = Buffer.from(name, 'utf8');
    const size = declare ?? content.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(content), 14); local.writeUInt32LE(data.length, 18); local.writeUInt32LE(size, 22); local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0); central.writeUInt16LE(20, 4); central.writeUInt16LE(20, 6); central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(content), 16); central.writeUInt32LE(data.length, 20); central.writeUInt32LE(size, 24);
    central.writeUInt16LE(nameBytes.length, 28); central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(entries.length, 8); end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const WORKBOOK_XML = Buffer.from('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="台账" sheetId="1"/></sheets></workbook>');

t.test('bad files: their status, problem+json with a registry code, and nothing written', async (t) => {
  const { app, store } = await buildExcelTestApp({ IMPORT_LIMIT_BYTES: String(20 * 1024 * 1024) });
  t.teardown(async () => { await app.close(); await store.close(); });
  const post = async (contentType: string, payload: Buffer | string) =>
    app.inject({ method: 'POST', url: '/v1/imports', headers: { 'content-type': contentType }, payload });
  const expect = async (label: string, contentType: string, payload: Buffer | string, status: number, code: string, detail?: RegExp) => {
    const res = await post(contentType, payload);
    t.equal(res.statusCode, status, `${label}: ${status} (${res.body.slice(0, 200)})`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${label}: problem+json`);
    const problem = JSON.parse(res.body) as Problem;
    t.equal(problem.code, code, `${label}: ${code}`);
    if (detail) t.match(problem.detail, detail, `${label}: says why`);
  };

  const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
  await expect('a PNG sent as XLSX', XLSX, png, 415, 'PIPELINE_NOT_A_SPREADSHEET', /not an \.xlsx workbook/);
  await expect('a PNG sent as CSV', 'text/csv', png, 415, 'PIPELINE_NOT_A_SPREADSHEET', /binary/);
  await expect('an old .xls', 'application/vnd.ms-excel', Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(512)]), 415, 'PIPELINE_NOT_A_SPREADSHEET', /\.xls/);
  await expect('JSON', 'application/json', '{"name":"x"}', 415, 'PIPELINE_NOT_A_SPREADSHEET');
  await expect('a zip that is no workbook', XLSX, zipOf([{ name: 'hello.txt', content: Buffer.from('hello') }]), 415, 'PIPELINE_NOT_A_SPREADSHEET', /xl\/workbook\.xml/);
  await expect('a cut-short workbook', XLSX, (await workbook(() => undefined)).subarray(0, 2000), 415, 'PIPELINE_NOT_A_SPREADSHEET');

  await expect('an empty body', 'text/csv', '', 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /empty/);
  await expect('an empty sheet', XLSX, Buffer.from(await new ExcelJS.Workbook().xlsx.writeBuffer()), 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /empty/);
  await expect('blank rows only', 'text/csv', ',,,\r\n,,\r\n', 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /empty/);
  await expect('no header row', 'text/csv', 'a,b,c\r\n1,2,3\r\n', 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /no header row/);
  await expect('no 行业 column', 'text/csv', '项目名称,所在地区,项目类型,计划总投资\r\nx,131121,工业,800\r\n', 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /行业/);
  await expect('a formula', XLSX, await workbook((_book, sheet) => {
    sheet.addRow(['另一个项目', '131121', 'C', '工业', { formula: 'E2*2', result: 24_000 }, null]);
  }), 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /E3: =E2\*2/);
  await expect('merged cells in the table', XLSX, await workbook((_book, sheet) => {
    sheet.addRow(['另一个项目', '131121', 'C', '工业', 800, null]);
    sheet.mergeCells('B2:B3');
  }), 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /B2:B3/);
  await expect('a hidden sheet', XLSX, await workbook((book) => {
    book.addWorksheet('草稿', { state: 'hidden' }).addRow(['x']);
  }), 400, 'PIPELINE_SPREADSHEET_UNREADABLE', /草稿/);

  await expect('a 50 MB file', 'text/csv', Buffer.alloc(50 * 1024 * 1024, 0x41), 413, 'PIPELINE_BODY_TOO_LARGE');
  const rows = `${HEADER.join(',')}\r\n${'x,131121,C,工业,800,\r\n'.repeat(100_001)}`;
  await expect('a CSV of 100,001 rows', 'text/csv', rows, 413, 'PIPELINE_SPREADSHEET_TOO_LARGE', /100,000 rows/);
  const manyRows = Buffer.from(`<worksheet><sheetData>${'<row r="1"><c r="A1"/></row>'.repeat(100_001)}</sheetData></worksheet>`);
  await expect('an XLSX of 100,001 rows', XLSX, zipOf([{ name: 'xl/workbook.xml', content: WORKBOOK_XML }, { name: 'xl/worksheets/sheet1.xml', content: manyRows }]), 413, 'PIPELINE_SPREADSHEET_TOO_LARGE', /rows/);
  const bomb = Buffer.alloc(64 * 1024 * 1024, 0x20);
  await expect('a zip bomb that lies about its size', XLSX, zipOf([{ name: 'xl/workbook.xml', content: WORKBOOK_XML }, { name: 'xl/worksheets/sheet1.xml', content: bomb, declare: 1024 }]), 413, 'PIPELINE_SPREADSHEET_TOO_LARGE');
  await expect('a zip bomb that says its size', XLSX, zipOf([{ name: 'xl/workbook.xml', content: WORKBOOK_XML }, { name: 'xl/sharedStrings.xml', content: Buffer.alloc(1024), declare: 2_000_000_000 }]), 413, 'PIPELINE_SPREADSHEET_TOO_LARGE');

  t.equal(await store.headPosition(), 0, 'nothing was written');
  const health = await app.inject({ url: '/healthz' });
  t.equal(health.statusCode, 200, 'the server is still up');
});

t.test('IMPORT_LIMIT_BYTES is the import\'s own limit, apart from BODY_LIMIT_BYTES', async (t) => {
  const { app, store } = await buildExcelTestApp({ IMPORT_LIMIT_BYTES: '4096', BODY_LIMIT_BYTES: '1048576' });
  t.teardown(async () => { await app.close(); await store.close(); });
  const csv = `${HEADER.join(',')}\r\n${'x,131121,C,工业,800,\r\n'.repeat(400)}`;
  const res = await app.inject({ method: 'POST', url: '/v1/imports?dryRun=true', headers: { 'content-type': 'text/csv' }, payload: csv });
  t.equal(res.statusCode, 413);
  t.equal((JSON.parse(res.body) as Problem).code, 'PIPELINE_BODY_TOO_LARGE');
});
