/**
 * A task run at most once per interval and never twice at once: a request while it runs is
 * remembered and served once it ends (so the last change is always fetched), a request
 * inside the interval waits for its end. Live updates arrive many times a second under load;
 * the queries they prompt do not.
 */
export class Throttle {
  private running = false;
  private pending = false;
  private lastRun = Number.NEGATIVE_INFINITY;
  private timer: number | undefined;

  constructor(private readonly task: () => Promise<void>, private readonly intervalMs: number) {}

  request(immediately = false): void {
    if (this.running) {
      this.pending = true;
      return;
    }
    if (this.timer !== undefined) {
      if (!immediately) return;
      window.clearTimeout(this.timer);
    }
    const wait = immediately ? 0 : Math.max(0, this.lastRun + this.intervalMs - performance.now());
    this.timer = window.setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  cancel(): void {
    if (this.timer !== undefined) window.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }

  private async run(): Promise<void> {
    this.running = true;
    this.lastRun = performance.now();
    try {
      await this.task();
    } finally {
      this.running = false;
      if (this.pending) {
        this.pending = false;
        this.request();
      }
    }
  }
}
