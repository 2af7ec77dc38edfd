/**
 * The store edited behind the server's back, every way issue 12 lists, on a copy of one data
 * directory each: an amount, a key's regions, an actor, a record time, a deleted middle row, a
 * deleted last event, a deleted stream, two swapped rows, and an edit with every hash and the
 * stored tree recomputed after it (the server then signs the edited log with its own key).
 *
 * Each is caught by the offline auditor (`npm run audit -- check --full`, a child process over
 * HTTP) against the checkpoint it kept before the edit; every one but the last is also caught
 * by GET /v1/audit/verify alone, which names what it found.
 */
import t, { type Test } from 'tap';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chainHash } from '../../commands/hash-chain.js';
import { loadConfig } from '../../src/config.js';
import { openEmbeddedStore } from '../../src/event-store/embedded/sqlite-store.js';
import type { JsonObject } from '../../src/event-store/port.js';
import { buildApp } from '../../src/http/app.js';
import { LogTree } from '../../src/log-tree/log-tree.js';
import { loadSigningKeys } from '../../src/log-tree/signing-key.js';
import { ADMIN_SECRET, bearer, issue } from '../auth/auth-test-app.js';

const ORIGIN = 'tamper.test/log';
const ZAOQIANG = '131121';
const root = mkdtempSync(join(tmpdir(), 'tamper-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

async function serve(dataDir: string) {
  const store = openEmbeddedStore({ path: join(dataDir, 'events.db'), synchronous: 'NORMAL' });
  const { signers } = loadSigningKeys({ dataDir, origin: ORIGIN });
  const logTree = new LogTree({ store, path: join(dataDir, 'log-tree.db'), origin: ORIGIN, signers });
  const config = loadConfig({ AUTH: 'on', ADMIN_KEY: ADMIN_SECRET, DATA_DIR: dataDir, LOG_ORIGIN: ORIGIN });
  const app = await buildApp({ store, config, logTree });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: address, close: async () => { await app.close(); await store.close(); } };
}

function audit(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/cli/audit.ts', ...args], { cwd: process.cwd() }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

// One history, audited once: the auditor keeps its checkpoint in its state file.
const original = join(root, 'original');
const server = await serve(original);
const admin = bearer(ADMIN_SECRET);
const post = async (url: string, payload: object, method: 'POST' | 'PUT' = 'POST') => {
  const answer = await server.app.inject({ method, url, headers: admin, payload });
  if (answer.statusCode >= 300) throw new Error(`${url}: ${answer.body}`);
};
const registration = (projectId: string, regionCode: string) => ({
  projectId, name: `项目 ${projectId}`, regionCode, industry: 'C', category: 'industrial', origin: 'attracted', plannedInvestment: 12000.5, occurredOn: '2025-01-06',
});
await post('/v1/projects', registration('ZQ-1', ZAOQIANG));
await post('/v1/projects', registration('ZQ-2', ZAOQIANG));
await post('/v1/projects/ZQ-1/milestones', { type: 'ProjectApproved', occurredOn: '2025-02-01', kind: 'filing', authority: '枣强县发改局', documentNo: '枣发改备〔2025〕12号', approvedInvestment: 12000.5 });
await post('/v1/projects/ZQ-1/milestones', { type: 'Started', occurredOn: '2025-03-01' });
await post('/v1/projects/ZQ-1/milestones', { type: 'InvestmentReported', occurredOn: '2025-04-02', period: '2025-03', amount: 1500 });
await post('/v1/projects/ZQ-1/milestones', { type: 'InvestmentReported', occurredOn: '2025-05-02', period: '2025-04', amount: 1800 });
await post(`/v1/regions/${ZAOQIANG}/targets/2025`, { reserveCount: 100, reserveInvestment: 3_000_000.5, occurredOn: '2025-01-10' }, 'PUT');
await issue(server.app, { role: 'bureau', regions: [ZAOQIANG], name: 'bureau of 枣强' });
await post('/v1/projects', registration('ZQ-3', ZAOQIANG));
await post('/v1/projects/ZQ-3/milestones', { type: 'Stalled', occurredOn: '2025-06-01', reason: 'funds' });
const auditorKey = (await issue(server.app, { role: 'auditor', regions: ['000000'], name: 'the 统计局 auditor' })).key;
await post('/v1/projects/ZQ-2/milestones', { type: 'Stalled', occurredOn: '2025-06-02', reason: 'land' });
const verifierKey = (await server.app.inject({ url: '/v1/audit/verifier-key' })).body.trim();
const statePath = join(root, 'audit-state.json');
const first = await audit(['check', '--server', server.url, '--key', auditorKey, '--state', statePath, '--verifier-key', verifierKey, '--full']);
t.equal(first.code, 0, `the untouched log audits clean: ${first.stdout}${first.stderr}`);
await server.close();

interface Row { position: number; stream_id: string; revision: number; id: string; type: string; data: string; metadata: string; recorded_at: string }
const rowsOf = (db: Database.Database) => db.prepare<[], Row>('SELECT * FROM events ORDER BY position').all();

interface Case {
  readonly name: string;
  readonly edit: (db: Database.Database, dataDir: string) => void;
  /** What /v1/audit/verify must find; undefined: it cannot tell (the last case). */
  readonly verify?: (t: Test, report: VerifyReport) => void;
}
type VerifyReport = {
  ok: boolean;
  broken: Array<{ streamId: string; firstBrokenRevision: number }>;
  tree: { rootMatches: boolean; firstMismatch: { kind: string; streamId: string | null; revision: number | null; position: number; leafIndex: number | null } | null; gaps: number; reordered: number; mismatches: number };
};

function row(db: Database.Database, where: string): Row {
  const found = db.prepare<[], Row>(`SELECT * FROM events WHERE ${where} ORDER BY position LIMIT 1`).get();
  if (found === undefined) throw new Error(`no row where ${where}`);
  return found;
}

const editData = (db: Database.Database, position: number, data: JsonObject) =>
  db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), position);

const cases: Case[] = [
  {
    name: 'an amount',
    edit: (db) => {
      const reported = row(db, "type = 'InvestmentReported'");
      editData(db, reported.position, { ...JSON.parse(reported.data) as JsonObject, amount: 99_990_000 });
    },
    verify: (t, report) => {
      t.match(report.tree.firstMismatch, { kind: 'altered', streamId: 'project-ZQ-1', revision: 3 });
      t.match(report.broken, [{ streamId: 'project-ZQ-1', firstBrokenRevision: 3 }]);
    },
  },
  {
    name: 'a key\'s regions (131121 → 000000)',
    edit: (db) => {
      const issued = row(db, "type = 'KeyIssued' AND data LIKE '%bureau of%'");
      editData(db, issued.position, { ...JSON.parse(issued.data) as JsonObject, regions: ['000000'] });
    },
    verify: (t, report) => {
      t.match(report.tree.firstMismatch, { kind: 'altered', streamId: /^key-/, revision: 0 });
    },
  },
  {
    name: 'an actor',
    edit: (db) => {
      const started = row(db, "type = 'Started'");
      const metadata = JSON.parse(started.metadata) as JsonObject;
      db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(JSON.stringify({ ...metadata, actor: { keyId: 'someone-else', role: 'admin', regions: ['000000'] } }), started.position);
    },
    verify: (t, report) => { t.match(report.tree.firstMismatch, { kind: 'altered', streamId: 'project-ZQ-1', revision: 2 }); },
  },
  {
    name: 'a record time',
    edit: (db) => {
      const approved = row(db, "type = 'ProjectApproved'");
      db.prepare('UPDATE events SET recorded_at = ? WHERE position = ?').run('2024-12-31T23:59:59.000Z', approved.position);
    },
    verify: (t, report) => { t.match(report.tree.firstMismatch, { kind: 'altered', streamId: 'project-ZQ-1', revision: 1 }); },
  },
  {
    name: 'a deleted middle row',
    edit: (db) => { db.prepare('DELETE FROM events WHERE position = ?').run(row(db, "type = 'Started'").position); },
    verify: (t, report) => {
      t.match(report.tree.firstMismatch, { kind: 'missing', streamId: null });
      t.equal(report.tree.gaps, 1);
      t.match(report.broken, [{ streamId: 'project-ZQ-1', firstBrokenRevision: 2 }], 'the stream has a gap at the deleted revision');
    },
  },
  {
    name: 'a deleted last event',
    edit: (db) => { db.prepare('DELETE FROM events WHERE position = (SELECT MAX(position) FROM events)').run(); },
    verify: (t, report) => {
      t.match(report.tree.firstMismatch, { kind: 'missing' });
      t.equal(report.tree.gaps, 1);
    },
  },
  {
    name: 'a deleted stream',
    edit: (db) => { db.prepare("DELETE FROM events WHERE stream_id = 'project-ZQ-3'").run(); },
    verify: (t, report) => { t.equal(report.tree.gaps, 2, 'both of its events are missing leaves'); },
  },
  {
    name: 'two swapped rows',
    edit: (db) => {
      const rows = rowsOf(db);
      const [a, b] = [rows[3], rows[5]];
      if (a === undefined || b === undefined) throw new Error('too few rows');
      db.transaction(() => {
        db.prepare('DELETE FROM events WHERE position IN (?, ?)').run(a.position, b.position);
        const insert = db.prepare('INSERT INTO events (position, stream_id, revision, id, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
        for (const [at, r] of [[a.position, b], [b.position, a]] as const) {
          insert.run(at, r.stream_id, r.revision, r.id, r.type, r.data, r.metadata, r.recorded_at);
        }
      })();
    },
    verify: (t, report) => {
      t.match(report.tree.firstMismatch, { kind: 'reordered' });
      t.equal(report.tree.reordered, 2, 'each holds what the other recorded');
    },
  },
  {
    name: 'an edit with every hash and the stored tree recomputed after it',
    edit: (db, dataDir) => {
      const reported = row(db, "type = 'InvestmentReported'");
      editData(db, reported.position, { ...JSON.parse(reported.data) as JsonObject, amount: 99_990_000 });
      // Rechain the stream from the edited event on, as someone who knows the scheme would.
      const stream = db.prepare<[string], Row>('SELECT * FROM events WHERE stream_id = ? ORDER BY revision').all(reported.stream_id);
      let previous = '0'.repeat(64);
      for (const event of stream) {
        const metadata = JSON.parse(event.metadata) as JsonObject;
        const hash = chainHash(previous, { type: event.type, data: JSON.parse(event.data) as JsonObject });
        db.prepare('UPDATE events SET metadata = ? WHERE position = ?').run(JSON.stringify({ ...metadata, prevHash: previous, hash }), event.position);
        previous = hash;
      }
      // And the tree: the server rebuilds it from the edited log and signs it with its own key.
      for (const file of ['log-tree.db', 'log-tree.db-wal', 'log-tree.db-shm']) rmSync(join(dataDir, file), { force: true });
    },
  },
];

for (const tampering of cases) {
  t.test(`caught: ${tampering.name}`, async (t) => {
    const dataDir = join(root, tampering.name.replace(/[^A-Za-z0-9]+/g, '-'));
    cpSync(original, dataDir, { recursive: true });
    const state = `${dataDir}.audit-state.json`;
    copyFileSync(statePath, state);
    const db = new Database(join(dataDir, 'events.db'));
    tampering.edit(db, dataDir);
    db.close();

    const edited = await serve(dataDir);
    t.teardown(() => edited.close());
    const report = await edited.app.inject({ url: '/v1/audit/verify', headers: bearer(auditorKey) });
    t.equal(report.statusCode, 200, report.body);
    const verification = report.json<VerifyReport>();
    if (tampering.verify === undefined) {
      t.equal(verification.ok, true, 'verify alone cannot tell: the log, its chains and its tree agree, re-signed');
    } else {
      t.equal(verification.ok, false, 'GET /v1/audit/verify finds it');
      tampering.verify(t, verification);
    }

    const audited = await audit(['check', '--server', edited.url, '--key', auditorKey, '--state', state, '--full']);
    t.equal(audited.code, 1, `the auditor fails: ${audited.stdout}`);
    t.match(audited.stderr, /audit: FAILED: .+/, 'and says what failed');
    t.comment(audited.stderr.trim());
  });
}
