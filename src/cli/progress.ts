/**
 * Progress of a long fold or write, on stderr so that stdout stays the command's answer.
 * On a terminal: one line redrawn in place (bar, events/s, ETA). On a pipe the CLI shows
 * nothing (CI logs stay clean); long-running benchmarks may ask for a plain line every few
 * seconds instead, so their logs still show they are alive.
 */
import type { WriteStream } from 'node:tty';

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface ProgressOptions {
  readonly label: string;
  /** Units expected in all (events); 0 when unknown. */
  readonly total: number;
  readonly mode: ProgressMode;
  readonly stream?: NodeJS.WritableStream & Partial<Pick<WriteStream, 'columns'>>;
  /** Smallest interval between two draws. */
  readonly everyMs?: number;
  readonly unit?: string;
}

export interface Progress {
  /** `done` units so far; `note` is shown after the figures (a date, a phase). */
  update(done: number, note?: string): void;
  /** Clears the bar (a terminal) so the answer prints on a clean line. */
  finish(): void;
}

/** A bar on a terminal, nothing on a pipe: what the CLI uses. */
export function progressModeFor(stream: { readonly isTTY?: boolean }, onPipe: ProgressMode = 'off'): ProgressMode {
  return stream.isTTY === true ? 'bar' : onPipe;
}

export function createProgress(options: ProgressOptions): Progress {
  if (options.mode === 'off') return { update: () => undefined, finish: () => undefined };
  const stream = options.stream ?? process.stderr;
  const unit = options.unit ?? 'events';
  const everyMs = options.everyMs ?? (options.mode === 'bar' ? 100 : 10_000);
  const started = performance.now();
  let lastDraw = 0;
  let drawn = false;

  const line = (done: number, note: string | undefined): string => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const total = options.total;
    const eta = total > 0 && rate > 0 ? formatDuration(Math.max(0, (total - done) / rate)) : '?';
    const counts = total > 0 ? `${formatCount(done)}/${formatCount(total)} ${unit}` : `${formatCount(done)} ${unit}`;
    const figures = `${counts}  ${formatCount(Math.round(rate))} ${unit}/s  ETA ${eta}${note ? `  ${note}` : ''}`;
    if (options.mode === 'lines') return `${options.label}: ${figures}  (${formatDuration(seconds)} elapsed)`;
    const width = 24;
    const filled = total > 0 ? Math.min(width, Math.round((done / total) * width)) : 0;
    return `${options.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${figures}`;
  };

  return {
    update(done, note) {
      const now = performance.now();
      if (now - lastDraw < everyMs) return;
      lastDraw = now;
      if (options.mode === 'bar') {
        const columns = stream.columns ?? 120;
        stream.write(`\r${line(done, note).slice(0, Math.max(20, columns - 1))}\x1b[K`);
        drawn = true;
      } else {
        stream.write(`${line(done, note)}\n`);
      }
    },
    finish() {
      if (options.mode === 'bar' && drawn) stream.write('\r\x1b[K');
    },
  };
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m} min ${String(s).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
