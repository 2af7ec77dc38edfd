// The read worker's entry (read-worker-thread.ts): a worker thread does not inherit tsx's loader
// under `node --import tsx`; registering it here (a no-op where a loader for .ts is already in
// place, as under the test runner) lets it load.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker-thread.ts');
