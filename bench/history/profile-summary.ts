/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: self time by
 * function and by file, so a benchmark's shortfall can be pinned on JSON.parse, the
 * subscription's promises, a projection's evolve or SQLite.
 *
 *   node --import tsx bench/history/profile-summary.ts <file.cpuprofile> [top=25]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileShare {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time of every sampled frame. */
  readonly frames: readonly { readonly functionName: string; readonly url: string; readonly ms: number }[];
  readonly byFunction: readonly ProfileShare[];
  readonly byFile: readonly ProfileShare[];
  /** Inclusive time of functions whose name matches, e.g. evolve, JSON.parse. */
  inclusive(match: (frame: CallFrame) => boolean): number;
}

function isProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray(Reflect.get(value, 'nodes')) && Array.isArray(Reflect.get(value, 'samples'));
}

export function summariseProfile(path: string): ProfileSummary {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isProfile(parsed)) throw new Error(`${path} is not a V8 CPU profile`);
  const byId = new Map(parsed.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of parsed.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfMs = new Map<number, number>();
  parsed.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (parsed.timeDeltas[i] ?? 0) / 1000));
  const totalMs = [...selfMs.values()].reduce((a, b) => a + b, 0);

  const tally = (key: (frame: CallFrame) => string): ProfileShare[] => {
    const sums = new Map<string, number>();
    for (const [id, ms] of selfMs) {
      const frame = byId.get(id)?.callFrame;
      if (!frame) continue;
      const k = key(frame);
      sums.set(k, (sums.get(k) ?? 0) + ms);
    }
    return [...sums].map(([name, ms]) => ({ name, ms, share: ms / totalMs })).sort((a, b) => b.ms - a.ms);
  };
  const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\//, 'node_modules/').replace(/^.*\/work\/main\//, '');

  const frames = [...selfMs].flatMap(([id, ms]) => {
    const frame = byId.get(id)?.callFrame;
    return frame ? [{ functionName: frame.functionName, url: shortUrl(frame.url), ms }] : [];
  });
  return {
    totalMs,
    frames,
    byFunction: tally((f) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}${f.url ? `:${f.lineNumber + 1}` : ''}`),
    byFile: tally((f) => (f.url ? shortUrl(f.url) : `(${f.functionName || 'native'})`)),
    inclusive(match) {
      // A sample counts once if any frame on its stack matches.
      let ms = 0;
      const memo = new Map<number, boolean>();
      const under = (id: number): boolean => {
        const known = memo.get(id);
        if (known !== undefined) return known;
        const node = byId.get(id);
        const up = parent.get(id);
        const result = (node !== undefined && match(node.callFrame)) || (up !== undefined && under(up));
        memo.set(id, result);
        return result;
      };
      for (const [id, self] of selfMs) if (under(id)) ms += self;
      return ms;
    },
  };
}

function main(): void {
  const [path, topArg] = process.argv.slice(2);
  if (path === undefined) {
    process.stderr.write('usage: node --import tsx bench/history/profile-summary.ts <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  const top = Number(topArg ?? 25);
  const summary = summariseProfile(path);
  const row = (s: ProfileShare) => `${(s.share * 100).toFixed(1).padStart(5)} %  ${s.ms.toFixed(0).padStart(7)} ms  ${s.name}`;
  process.stdout.write(`total ${summary.totalMs.toFixed(0)} ms sampled\n\nself time by function:\n`);
  for (const s of summary.byFunction.slice(0, top)) process.stdout.write(`${row(s)}\n`);
  process.stdout.write('\nself time by file:\n');
  for (const s of summary.byFile.slice(0, Math.min(top, 15))) process.stdout.write(`${row(s)}\n`);
}

if (process.argv[1]?.endsWith('profile-summary.ts')) main();
