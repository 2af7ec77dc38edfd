/**
 * A query that scans many projects pauses every so often (a generator that yields): run to its
 * end at once (tests, tools), or a slice per turn of the event loop (the server, over the
 * history's rows at one position: runner/facts-history.ts), so that a scan of a province's 10⁵–10⁶
 * projects never keeps every other request, command and SSE client waiting.
 */
export type Sliced<T> = Generator<void, T, void>;

/** Projects looked at between pauses. */
export const SLICE = 2048;

export function runNow<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/** Runs `work`, letting the event loop turn after each `sliceMs` of it. */
export async function runSliced<T>(work: Sliced<T>, sliceMs = 10): Promise<T> {
  let sliceStarted = performance.now();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
}
