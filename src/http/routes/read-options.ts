/**
 * What every read-model query accepts (API.md, "Queries"):
 * - `minPosition=<n>`: read your writes. The answer waits until every read model has applied
 *   position n (a command's answer carries it), at most MIN_POSITION_WAIT_MS, else 503
 *   PIPELINE_NOT_READY: the read models are behind, retry.
 * - `asOf=<ISO time>`: the read model as it stood when that moment was recorded, read from the
 *   read side's history (never a replay); it does not wait for minPosition, and a moment the
 *   read models have not reached yet answers 503 PIPELINE_NOT_READY.
 * Every answer carries the global position of the state it was computed from.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { chinaDateOf, type IsoDate } from '../../../commands/shared/dates.js';
import type { ReadModelSource, ReadModels } from '../../../projections/runner/read-models.js';
import type { FactScope } from '../../../projections/runner/facts-history.js';
import type { ReadRequest } from '../../../projections/runner/read-worker-thread.js';
import type { LedgerFilter } from '../../../projections/project-ledger/query.js';
import type { ReadModelStates } from '../../../projections/all-read-models.js';
import { runSliced, type Sliced } from '../../../projections/shared/sliced.js';
import type { Clock } from '../../clock.js';
import { COUNTRY, type RegionCode } from '../../../commands/shared/region-code.js';
import type { Actor } from '../../../commands/metadata.js';
import type { RegionCatalogue } from '../../regions/catalogue.js';
import { assertCovers, covers } from '../auth/index.js';
import { errors } from '../errors.js';
import { errorHandler } from '../problem-details.js';
import { isoInstant } from '../params.js';

/** How long a query waits for `minPosition` (API.md: "up to a few seconds"). */
export const MIN_POSITION_WAIT_MS = 5_000;

export const readOptionsShape = {
  asOf: isoInstant().optional()
    .meta({ description: 'Answer as the data stood when this moment was recorded (ISO 8601)', example: '2025-04-05T16:00:00Z' }),
  minPosition: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional()
    .meta({ description: 'Wait (up to 5 s) until the read models reflect this global position: pass a command\'s `position` to read your own writes' }),
};

export interface ReadOptions {
  readonly asOf?: string | undefined;
  readonly minPosition?: number | undefined;
}

export interface ReadState<State> {
  readonly state: State;
  /** The global position the state reflects. */
  readonly position: number;
}

/** The state a query answers from: as of a moment, or the live one once it has reached minPosition. */
export async function readState<State>(readModels: ReadModels, runner: ReadModelSource<State>, options: ReadOptions, scope?: FactScope): Promise<ReadState<State>> {
  if (options.asOf !== undefined) return runner.stateAsOf(options.asOf, scope);
  if (options.minPosition !== undefined) await awaitPosition(readModels, options.minPosition);
  // Read together, in one turn of the loop: the runner applies events between turns only.
  return { state: runner.state, position: runner.position };
}

/** The read models whose long scans read the history's rows at one position (runner/facts-history.ts). */
export type StableName = 'project-ledger' | 'compliance' | 'batches';

/**
 * A read model's state at one position that stays so across turns of the loop while the fold
 * goes on: as of a moment, or now (the position the history has written, at least the fold's
 * and `minPosition`); views of the history's rows either way, reading the projects `scope`
 * lets a scan walk.
 */
export async function readStable<K extends StableName>(readModels: ReadModels, name: K, options: ReadOptions, scope?: FactScope): Promise<ReadState<ReadModelStates[K]>> {
  if (options.asOf !== undefined) return readModels.runners[name].stateAsOf(options.asOf, scope);
  if (options.minPosition !== undefined) await awaitPosition(readModels, options.minPosition);
  const { state, position } = await readModels.currentFacts(name, scope ?? {});
  return { state: state as ReadModelStates[K], position };
}

/** A scan over many turns (shared/sliced.ts) of one read model at one position (see readStable). */
export async function readSliced<K extends StableName, T>(
  readModels: ReadModels, name: K, options: ReadOptions, scan: (state: ReadModelStates[K]) => Sliced<T>, scope?: FactScope,
): Promise<{ readonly value: T; readonly position: number }> {
  const { state, position } = await readStable(readModels, name, options, scope);
  return { value: await runSliced(scan(state)), position };
}

/**
 * A long read (a ledger as CSV or cells, a compliance list) as of a moment or now: on the read
 * worker's thread when there is one (projections/runner/read-worker.ts). Its parts come in
 * order, then its value (`valueOf`).
 */
export async function readLong(readModels: ReadModels, options: ReadOptions, scope: FactScope, request: ReadRequest): Promise<{ readonly position: number; readonly parts: AsyncGenerator<unknown, unknown> }> {
  if (options.asOf !== undefined) return readModels.longRead(request, { asOf: await readModels.positionAsOf(options.asOf) }, scope);
  if (options.minPosition !== undefined) await awaitPosition(readModels, options.minPosition);
  return readModels.longRead(request, { now: true }, scope);
}

/** The value a long read ends with, its parts skipped. */
export async function valueOf(parts: AsyncGenerator<unknown, unknown>): Promise<unknown> {
  for (;;) {
    const step = await parts.next();
    if (step.done) return step.value;
  }
}

/** What a ledger read walks: the regions its filter names (else all), and its filters (read now, only the rows they match). */
export function scopeOf(filter: LedgerFilter): FactScope {
  const ledger = { stage: filter.stage, category: filter.category, minInvestment: filter.minInvestment };
  if (filter.regionCode !== undefined) return { regions: [filter.regionCode], ledger };
  return filter.regionCodes === undefined ? { ledger } : { regions: filter.regionCodes, ledger };
}

export async function awaitPosition(readModels: ReadModels, position: number): Promise<void> {
  if (await readModels.waitFor(position, MIN_POSITION_WAIT_MS)) return;
  throw new errors.NotReady(
    `the read models are behind: they have not reached position ${position} within ${MIN_POSITION_WAIT_MS / 1000} s (now at ${readModels.position}); retry shortly`,
  );
}

/** The business date (China) a query is judged at: the asOf moment's, else today's. */
export function businessDate(options: ReadOptions, clock: Clock): IsoDate {
  return chinaDateOf(options.asOf === undefined ? clock.now() : new Date(options.asOf));
}

/**
 * The region a statistics query is about: the one named (it must be known, 409 otherwise, and
 * readable by the key, 403 otherwise), else the key's own when it has one region (the whole
 * country for an auditor); a key over several regions must name one.
 */
export function queryRegion(actor: Actor, regionCode: RegionCode | undefined, regions: RegionCatalogue): RegionCode {
  if (regionCode !== undefined) {
    regions.assertKnown(regionCode);
    assertCovers(actor, regionCode, 'read');
    return regionCode;
  }
  if (covers(actor, COUNTRY, 'read')) return COUNTRY;
  const [only, ...others] = actor.regions;
  if (only !== undefined && others.length === 0) return only;
  throw new errors.Malformed(`key ${actor.keyId} covers ${actor.regions.join(', ')}: name one of them as regionCode`);
}

/**
 * The query plugins' error handler (`app.setErrorHandler(readErrorHandler)`): the app's own,
 * which maps the read models' errors (an impossible period, a foreign cursor) and answers
 * PIPELINE_NOT_READY with Retry-After. Kept as a name so query plugins need not change.
 */
export function readErrorHandler(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return errorHandler.call(this, error, request, reply);
}
