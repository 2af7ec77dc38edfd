/**
 * A small Prometheus text registry: counters and gauges with labels, gauges read at scrape
 * time, and histograms. Enough for /metrics without another dependency.
 */
type Labels = Readonly<Record<string, string>>;
type Sample = { readonly labels: Labels; readonly value: number };

interface Histogram {
  readonly buckets: readonly number[];
  /** Cumulative counts per bucket (le), then +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

interface Family {
  readonly help: string;
  readonly kind: 'counter' | 'gauge' | 'histogram';
  readonly histogram?: Histogram;
  readonly values: Map<string, { labels: Labels; value: number }>;
  readonly collect?: () => ReadonlyArray<Sample> | Promise<ReadonlyArray<Sample>>;
}

export class Metrics {
  private readonly families = new Map<string, Family>();

  counter(name: string, help: string): (labels?: Labels, by?: number) => void {
    const family = this.family(name, help, 'counter');
    return (labels = {}, by = 1) => {
      const key = labelKey(labels);
      const entry = family.values.get(key);
      if (entry) entry.value += by;
      else family.values.set(key, { labels, value: by });
    };
  }

  /** A gauge whose values are read when scraped. */
  gauge(name: string, help: string, collect: () => ReadonlyArray<Sample> | Promise<ReadonlyArray<Sample>>): void {
    this.families.set(name, { help, kind: 'gauge', values: new Map(), collect });
  }

  /** A histogram without labels over `buckets` (upper bounds, ascending); returns its observe. */
  histogram(name: string, help: string, buckets: readonly number[]): (value: number) => void {
    const histogram: Histogram = { buckets: [...buckets], counts: buckets.map(() => 0), sum: 0, count: 0 };
    this.families.set(name, { help, kind: 'histogram', values: new Map(), histogram });
    return (value) => {
      histogram.buckets.forEach((bound, index) => {
        if (value <= bound) histogram.counts[index] = (histogram.counts[index] ?? 0) + 1;
      });
      histogram.sum += value;
      histogram.count += 1;
    };
  }

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.kind}`);
      if (family.histogram !== undefined) {
        const { buckets, counts, sum, count } = family.histogram;
        buckets.forEach((bound, index) => lines.push(`${name}_bucket{le="${bound}"} ${counts[index] ?? 0}`));
        lines.push(`${name}_bucket{le="+Inf"} ${count}`, `${name}_sum ${sum}`, `${name}_count ${count}`);
        continue;
      }
      const samples = family.collect ? await family.collect() : [...family.values.values()];
      for (const { labels, value } of samples) lines.push(`${name}${renderLabels(labels)} ${value}`);
    }
    return `${lines.join('\n')}\n`;
  }

  private family(name: string, help: string, kind: Family['kind']): Family {
    const existing = this.families.get(name);
    if (existing) return existing;
    const created: Family = { help, kind, values: new Map() };
    this.families.set(name, created);
    return created;
  }
}

function labelKey(labels: Labels): string {
  return Object.keys(labels).sort().map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}

function renderLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escape = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
  return `{${entries.map(([k, v]) => `${k}="${escape(v)}"`).join(',')}}`;
}
