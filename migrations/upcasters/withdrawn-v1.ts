/**
 * Withdrawn v1 → v2. v1 named who approved a withdrawal as free text (`approvedBy: "枣强县人民
 * 政府"`); v2 makes it structured, `approvedBy: { authority, documentNo? }`, so the approval's
 * document number (批复文号) has a field of its own. A v1 event reads as v2 with its text as the
 * authority and no document number: nothing is guessed.
 *
 * The v1 schema is frozen here as it was stored (v1 events in the log are never rewritten).
 */
import { z } from 'zod';
import { defineUpcaster } from './registry.js';

export const withdrawnV1 = z.strictObject({
  projectId: z.string(),
  occurredOn: z.string(),
  reason: z.string(),
  approvedBy: z.string(),
});

export const withdrawnV1ToV2 = defineUpcaster({
  type: 'Withdrawn',
  fromVersion: 1,
  from: withdrawnV1,
  upcast: ({ approvedBy, ...rest }) => ({ ...rest, approvedBy: { authority: approvedBy } }),
});
