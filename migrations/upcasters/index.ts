/**
 * The product's upcasters, one module per step (`<event>-v<N>.ts`, holding the frozen vN
 * schema and the vN → vN+1 function), listed here. Every event is at version 1 today.
 */
import { createUpcasterRegistry, type Upcaster } from './registry.js';

export const UPCASTERS: readonly Upcaster[] = [];

export const upcasters = createUpcasterRegistry(UPCASTERS);
export const { upcast, currentVersion: currentSchemaVersion } = upcasters;
