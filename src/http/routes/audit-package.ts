/**
 * The audit package (API.md, GET /v1/audit/export): a region's events recorded in a time range,
 * each as its leaf with its inclusion proof, all proven against one signed checkpoint, in one
 * JSON file. `npm run audit -- verify-package <file>` checks it with no server: the checkpoint's
 * signature against the auditor's pinned verifier key, then each leaf against its root. The
 * events are read from the leaves themselves, so what the file shows is what is proven.
 *
 * The log is read from its start in slices (a project's region may have been set before the
 * range), letting commands through between slices.
 */
import { z } from 'zod';
import type { RegionCode } from '../../../commands/shared/region-code.js';
import type { EventStore, RecordedEvent } from '../../event-store/port.js';
import { leafBytes } from '../../log-tree/leaf.js';
import type { LogTree } from '../../log-tree/log-tree.js';
import { anyCovers } from '../../regions/coverage.js';
import { errors } from '../errors.js';
import { foldProjectRegion, regionOfEventData } from './event-regions.js';

export const AUDIT_PACKAGE_FORMAT = 'xiangmu-pipeline/audit-package/v1';
/** Events in one package at most: a larger range is split by the auditor. */
const MAX_EVENTS = 100_000;
const PAGE = 1024;

export const auditPackageSchema = z.object({
  format: z.literal(AUDIT_PACKAGE_FORMAT),
  origin: z.string().meta({ description: 'The log\'s origin, the checkpoint\'s first line' }),
  verifierKey: z.string().meta({ description: 'The verifier key the checkpoint is signed for (signed-note form)' }),
  regionCode: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  checkpoint: z.string().meta({ description: 'The signed checkpoint every proof is against' }),
  treeSize: z.number().int(),
  entries: z.array(z.object({
    leafIndex: z.number().int(),
    position: z.number().int(),
    leaf: z.string().meta({ description: 'base64 of the leaf\'s exact bytes' }),
    proof: z.array(z.string()).meta({ description: 'base64 hashes of the RFC 6962 audit path' }),
  })),
}).meta({ description: 'An audit package, verifiable with no server: npm run audit -- verify-package <file>' });

export type AuditPackage = z.output<typeof auditPackageSchema>;

export async function buildAuditPackage(
  store: EventStore, logTree: LogTree, range: { readonly regionCode: RegionCode; readonly from?: string; readonly to?: string },
): Promise<AuditPackage> {
  const checkpoint = logTree.checkpoint();
  const projectRegions = new Map<string, RegionCode>();
  const chosen: RecordedEvent[] = [];
  let from: number | undefined;
  let after = -1;
  for (let leaves = 0; leaves < checkpoint.size;) {
    const page = await store.readAll({ ...(from === undefined ? {} : { fromPosition: from }), maxCount: PAGE });
    const fresh = page.filter((event) => event.position > after);
    for (const event of fresh) {
      const leafIndex = logTree.leafIndexOf(event.position);
      if (leafIndex === undefined || leafIndex >= checkpoint.size) continue;
      leaves = leafIndex + 1;
      foldProjectRegion(projectRegions, event);
      if (range.from !== undefined && event.recordedAt < range.from) continue;
      if (range.to !== undefined && event.recordedAt > range.to) continue;
      const region = regionOfEventData(event, (id) => projectRegions.get(id));
      if (region === undefined || !anyCovers([range.regionCode], region)) continue;
      chosen.push(event);
      if (chosen.length > MAX_EVENTS) throw new errors.Malformed(`more than ${MAX_EVENTS} events: narrow the range (from, to)`);
    }
    const last = page.at(-1);
    if (last === undefined || page.length < PAGE || (range.to !== undefined && last.recordedAt > range.to)) break;
    from = last.position;
    after = last.position;
    await new Promise((resolve) => setImmediate(resolve));
  }
  const entries = chosen.map((event) => {
    const leafIndex = logTree.leafIndexOf(event.position) ?? -1;
    return {
      leafIndex,
      position: event.position,
      leaf: leafBytes(event).toString('base64'),
      proof: logTree.inclusionProof(leafIndex, checkpoint.size).map((hash) => hash.toString('base64')),
    };
  });
  return {
    format: AUDIT_PACKAGE_FORMAT,
    origin: logTree.origin,
    verifierKey: logTree.verifierKey,
    regionCode: range.regionCode,
    from: range.from ?? null,
    to: range.to ?? null,
    checkpoint: checkpoint.note,
    treeSize: checkpoint.size,
    entries,
  };
}
