/**
 * Measuring on a shared machine: wall time and this process's CPU time (user + system) side by
 * side, since other developers' work slows the wall clock but not our CPU seconds; and the
 * machine's load, printed with the figures so a reader can judge them.
 */
import { loadavg, cpus, totalmem } from 'node:os';

export interface Measured {
  readonly units: number;
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
  /** Stopped at its deadline before doing all the work. */
  readonly partial: boolean;
}

export async function measure(work: () => Promise<{ units: number; partial?: boolean }>): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { units, partial } = await work();
  const wallSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { units, wallSeconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, partial: partial === true };
}

export const perWallSecond = (m: Measured) => m.units / m.wallSeconds;
export const perCpuSecond = (m: Measured) => m.units / m.cpuSeconds;

export function machine(): string {
  const [one, five] = loadavg();
  return `node ${process.version}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, load ${one?.toFixed(1)} (1 min) ${five?.toFixed(1)} (5 min)`;
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

export function rate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Asks `ask` every 5 ms until stopped: the slowest answer (ms) is how long everything else
 * (commands, SSE, other queries) waited behind what ran meanwhile.
 */
export function probe(ask: () => Promise<unknown>): { stop(): Promise<number> } {
  let probing = true;
  let slowest = 0;
  const running = (async () => {
    while (probing) {
      const t0 = performance.now();
      await ask();
      slowest = Math.max(slowest, performance.now() - t0);
      await sleep(5);
    }
  })();
  return { stop: async () => { probing = false; await running; return slowest; } };
}
