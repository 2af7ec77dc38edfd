/**
 * Runs the CLI as an operator would, in a child process (`node --import tsx src/cli/main.ts`),
 * against a temporary DATA_DIR whose store was filled through the store and the deciders.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openEmbeddedStore, type EmbeddedEventStore } from '../../../src/event-store/embedded/sqlite-store.js';
import { handleCommand, type CommandContext } from '../../../commands/handle-command.js';
import { projectDecider } from '../../../commands/project/decider.js';
import { clockAt, type MilestoneEvent } from '../../../commands/project/commands.js';
import { eventSchemas, projectStreamId } from '../../../commands/project/events.js';

const CLI = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(dataDir: string, args: readonly string[]): Promise<CliRun> {
  // Only what the CLI reads: tap's own variables and loaders stay out of the child.
  const env = { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', DATA_DIR: dataDir, EVENT_STORE: 'embedded' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

export function tempDataDir(): { readonly dir: string; readonly remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pipeline-cli-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A store in `dir` whose record time is whatever `at` last set (the history's own clock). */
export function openHistoryStore(dir: string): { store: EmbeddedEventStore; at: (iso: string) => void } {
  let now = new Date('2025-01-01T02:00:00Z');
  const store = openEmbeddedStore({ path: join(dir, 'events.db'), clock: () => now });
  return { store, at: (iso) => { now = new Date(iso); } };
}

const context: CommandContext = { actor: { keyId: 'k-410225', role: 'bureau', regions: ['410225'] }, correlationId: 'cli-test' };

/** Posts a project command the way the HTTP routes do: body parsed by its schema (万元 in), decided, appended. */
export async function post(store: EmbeddedEventStore, recordedAt: string, projectId: string, type: keyof typeof eventSchemas, body: Record<string, unknown>): Promise<number> {
  const clock = clockAt(new Date(recordedAt));
  const streamId = projectStreamId(projectId);
  if (type === 'ProjectRegistered') {
    const data = eventSchemas.ProjectRegistered.parse({ ...body, projectId });
    return (await handleCommand(store, streamId, projectDecider, { type: 'RegisterProject', data, ...clock }, context)).position;
  }
  // The body parsed by the schema of its type: a milestone of that type.
  const event = { type, data: eventSchemas[type].parse({ ...body, projectId }) } as MilestoneEvent;
  return (await handleCommand(store, streamId, projectDecider, { type: 'PostMilestone', event, ...clock }, context)).position;
}
