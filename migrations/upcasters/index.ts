/**
 * The product's upcasters, one module per step (`<event>-v<N>.ts`, holding the frozen vN
 * schema and the vN → vN+1 function), listed here. They are applied in one place, around the
 * store (src/event-store/upcasting-store.ts). Every event is at version 1 but Withdrawn (v2).
 */
import { createUpcasterRegistry, type Upcaster } from './registry.js';
import { withdrawnV1ToV2 } from './withdrawn-v1.js';

export const UPCASTERS: readonly Upcaster[] = [withdrawnV1ToV2];

export const upcasters = createUpcasterRegistry(UPCASTERS);
export const { upcast, currentVersion: currentSchemaVersion } = upcasters;
