/**
 * The offline auditor: `npm run audit -- …`. It needs only the server's URL and an auditor's
 * key, trusts nothing the server says without checking it, and keeps its own state file (the
 * pinned verifier key and the last checkpoint it verified). Exit status 0 only when all holds.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { LeafContent } from '../log-tree/leaf.js';
import { parseCheckpointText } from '../log-tree/signed-note.js';
import {
  checkConsistency, checkInclusion, isAuditPackage, RootCheck, verifyCheckpoint, verifyPackage, type VerifiedCheckpoint,
} from './auditor/checks.js';
import { AuditFailure, logClient, type LogClient } from './auditor/log-client.js';

export const USAGE = `npm run audit -- [check] [options]      verify the newest checkpoint (and more, below)
npm run audit -- export --region <code> [--from <iso>] [--to <iso>] --out <file>
npm run audit -- verify-package <file> [--verifier-key <key> | --state <file>]

check (the default):
  fetches the newest signed checkpoint, verifies it against the pinned verifier key, proves
  it consistent with the last checkpoint kept in the state file, and keeps it; then
  --event <position>   proves that event is in the log as shown (repeatable)
  --project <id>       proves every event of the project's history
  --full               downloads every leaf and rebuilds the checkpoint's root

options:
  --server <url>        the server (or AUDIT_SERVER)
  --key <secret>        an auditor's key (or AUDIT_KEY)
  --state <file>        the auditor's own state (default ./audit-state.json)
  --verifier-key <key>  the log's verifier key, obtained out of band, pinned in the state on
                        first use; a state already pinned to another key is refused
exit status: 0 all holds, 1 something does not (the message names it), 2 usage`;

interface AuditorState {
  readonly verifierKey: string;
  readonly server?: string;
  readonly checkpoint?: string;
  readonly keptAt?: string;
}

const out = (text: string) => { process.stdout.write(`${text}\n`); };
const err = (text: string) => { process.stderr.write(`${text}\n`); };

class UsageError extends Error {}

export async function runAudit(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        server: { type: 'string' }, key: { type: 'string' }, state: { type: 'string' }, 'verifier-key': { type: 'string' },
        event: { type: 'string', multiple: true }, project: { type: 'string', multiple: true }, full: { type: 'boolean' },
        region: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' },
      },
    });
  } catch (error) {
    err(`audit: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help === true) {
    out(USAGE);
    return 0;
  }
  const [command = 'check', ...rest] = positionals;
  const statePath = values.state ?? 'audit-state.json';
  try {
    switch (command) {
      case 'check': {
        const client = clientOf(values.server, values.key);
        const state = pinnedState(statePath, values['verifier-key']);
        const checkpoint = await checkNewestCheckpoint(client, state, statePath, values.server ?? process.env['AUDIT_SERVER'] ?? '');
        for (const position of values.event ?? []) await proveEvent(client, checkpoint, position);
        for (const projectId of values.project ?? []) await proveProject(client, checkpoint, projectId);
        if (values.full === true) await checkEveryLeaf(client, checkpoint);
        out('audit: all holds');
        return 0;
      }
      case 'export': {
        if (values.region === undefined || values.out === undefined) throw new UsageError('export needs --region and --out');
        const client = clientOf(values.server, values.key);
        const query = new URLSearchParams({ regionCode: values.region, ...(values.from ? { from: values.from } : {}), ...(values.to ? { to: values.to } : {}) });
        const text = await client.text(`/v1/audit/export?${query.toString()}`);
        writeFileSync(values.out, text);
        out(`audit: wrote ${values.out}`);
        return verifyPackageFile(values.out, statePath, values['verifier-key']);
      }
      case 'verify-package': {
        const [file] = rest;
        if (file === undefined) throw new UsageError('verify-package needs the package file');
        return verifyPackageFile(file, statePath, values['verifier-key']);
      }
      default:
        throw new UsageError(`no command ${command}`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`audit: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    err(`audit: FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function clientOf(server: string | undefined, key: string | undefined): LogClient {
  const url = server ?? process.env['AUDIT_SERVER'];
  if (url === undefined) throw new UsageError('name the server: --server <url> or AUDIT_SERVER');
  return logClient(url, key ?? process.env['AUDIT_KEY']);
}

function readState(path: string): AuditorState | undefined {
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || !('verifierKey' in parsed) || typeof parsed.verifierKey !== 'string') {
    throw new AuditFailure(`${path} is not an auditor's state file`);
  }
  const record: Record<string, unknown> = { ...parsed };
  return {
    verifierKey: parsed.verifierKey,
    ...(typeof record['server'] === 'string' ? { server: record['server'] } : {}),
    ...(typeof record['checkpoint'] === 'string' ? { checkpoint: record['checkpoint'] } : {}),
  };
}

/** The state with its pinned key: the given key pins a new state; a state pinned elsewhere is refused. */
function pinnedState(path: string, given: string | undefined): AuditorState {
  const state = readState(path);
  if (state === undefined) {
    if (given === undefined) {
      throw new UsageError(`no state at ${path}: pin the log's verifier key with --verifier-key (obtained out of band; compare it with GET /v1/audit/verifier-key)`);
    }
    return { verifierKey: given.trim() };
  }
  if (given !== undefined && given.trim() !== state.verifierKey) {
    throw new AuditFailure(`${path} is pinned to ${state.verifierKey}, not ${given.trim()}: a new key needs a new state file, by decision`);
  }
  return state;
}

function keep(path: string, state: AuditorState): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}

/** (a) The newest checkpoint, verified, proven to extend the kept one, then kept. */
async function checkNewestCheckpoint(client: LogClient, state: AuditorState, statePath: string, server: string): Promise<VerifiedCheckpoint> {
  const kept = state.checkpoint === undefined ? undefined : verifyCheckpoint(state.checkpoint, state.verifierKey);
  const newest = verifyCheckpoint(await client.text('/v1/audit/checkpoint'), state.verifierKey, kept?.origin);
  if (kept !== undefined) {
    const { proof } = await client.json<{ proof: string[] }>(`/v1/audit/proofs/consistency?from=${kept.size}&to=${newest.size}`);
    checkConsistency(kept, newest, proof);
    out(`audit: checkpoint of ${newest.size} leaves verified, consistent with the kept one of ${kept.size}`);
  } else {
    out(`audit: checkpoint of ${newest.size} leaves verified (the first kept in ${statePath})`);
  }
  keep(statePath, { ...state, server, checkpoint: newest.note, keptAt: new Date().toISOString() });
  return newest;
}

interface ShownEvent {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  readonly recordedAt: string;
  readonly leafIndex: number | null;
}

/** The leaf of an event as the API showed it, proven against the checkpoint, must be that event. */
async function proveShown(client: LogClient, checkpoint: VerifiedCheckpoint, shown: ShownEvent): Promise<LeafContent> {
  if (shown.leafIndex === null) throw new AuditFailure(`${shown.streamId}@${shown.revision} has no leaf yet`);
  if (shown.leafIndex >= checkpoint.size) throw new AuditFailure(`${shown.streamId}@${shown.revision} is leaf ${shown.leafIndex}, past the checkpoint`);
  const answer = await client.json<{ leaf: string; proof: string[] }>(`/v1/audit/proofs/inclusion?index=${shown.leafIndex}&size=${checkpoint.size}`);
  const leaf = checkInclusion(checkpoint, shown.leafIndex, answer.leaf, answer.proof);
  if (leaf.streamId !== shown.streamId || leaf.revision !== shown.revision || leaf.type !== shown.type || leaf.recordedAt !== shown.recordedAt) {
    throw new AuditFailure(`leaf ${shown.leafIndex} records ${leaf.streamId}@${leaf.revision} ${leaf.type} at ${leaf.recordedAt}; the server shows ${shown.streamId}@${shown.revision} ${shown.type} at ${shown.recordedAt}`);
  }
  return leaf;
}

/** (b) One event, by its global position. */
async function proveEvent(client: LogClient, checkpoint: VerifiedCheckpoint, position: string): Promise<void> {
  if (!/^\d+$/.test(position)) throw new UsageError(`--event takes a global position, not ${position}`);
  const page = await client.json<{ events: ShownEvent[] }>(`/v1/audit/events?fromPosition=${position}&limit=1`);
  const [shown] = page.events;
  if (shown === undefined || String(shown.position) !== position) throw new AuditFailure(`the server shows no event at position ${position}`);
  await proveShown(client, checkpoint, shown);
  out(`audit: event at position ${position} (${shown.streamId}@${shown.revision} ${shown.type}) is leaf ${shown.leafIndex} of the checkpoint`);
}

/** (b) Every event of a project's history. */
async function proveProject(client: LogClient, checkpoint: VerifiedCheckpoint, projectId: string): Promise<void> {
  const history = await client.json<{ events: Array<Omit<ShownEvent, 'streamId'>> }>(`/v1/projects/${encodeURIComponent(projectId)}/history`);
  const streamId = `project-${projectId}`;
  let revision = 0;
  for (const event of history.events) {
    if (event.revision !== revision) throw new AuditFailure(`the history of ${projectId} skips from revision ${revision - 1} to ${event.revision}`);
    await proveShown(client, checkpoint, { ...event, streamId });
    revision += 1;
  }
  out(`audit: all ${history.events.length} events of project ${projectId} are in the checkpoint's tree as shown`);
}

/** (c) Every leaf, downloaded, rebuilds the checkpoint's root. */
async function checkEveryLeaf(client: LogClient, checkpoint: VerifiedCheckpoint): Promise<void> {
  const rebuilt = new RootCheck();
  let after: number | null = null;
  for (let from: number | null = 0; from !== null && from < checkpoint.size;) {
    const query: string = `from=${from}&limit=10000&size=${checkpoint.size}${after === null ? '' : `&after=${after}`}`;
    const page: { leaves: string[]; next: number | null; after: number | null } = await client.json(`/v1/audit/leaves?${query}`);
    for (const leaf of page.leaves) rebuilt.add(leaf);
    if (page.leaves.length === 0) break;
    from = page.next;
    after = page.after;
  }
  rebuilt.check(checkpoint);
  out(`audit: all ${checkpoint.size} leaves downloaded rebuild the checkpoint's root`);
}

function verifyPackageFile(file: string, statePath: string, given: string | undefined): number {
  const state = readState(statePath);
  const verifierKey = given?.trim() ?? state?.verifierKey;
  if (verifierKey === undefined) throw new UsageError('pin the verifier key: --verifier-key or a state file (--state)');
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!isAuditPackage(parsed)) throw new AuditFailure(`${file} is not an audit package`);
  const { checkpoint, events } = verifyPackage(parsed, verifierKey);
  const kept = state?.checkpoint === undefined ? undefined : parseCheckpointText(state.checkpoint.slice(0, state.checkpoint.indexOf('\n\n') + 1));
  out(`audit: package ${file}: ${events.length} events of region ${parsed.regionCode}, each proven in the signed checkpoint of ${checkpoint.size} leaves` +
    (kept === undefined ? '' : ` (the kept checkpoint has ${kept.size}: run check to prove the two consistent)`));
  return 0;
}

runAudit(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    err(`audit: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
