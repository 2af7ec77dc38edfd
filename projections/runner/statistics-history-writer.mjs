// The statistics history writer's entry: the product runs its TypeScript through tsx, whose
// loader a worker thread does not inherit under `node --import tsx`; registering it here (a
// no-op where a loader for .ts is already in place, as under the test runner) lets it load.
import { register } from 'tsx/esm/api';

register();
await import('./statistics-history-writer-thread.ts');
