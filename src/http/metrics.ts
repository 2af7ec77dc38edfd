/**
 * A small Prometheus text registry: counters and gauges with labels, and gauges read at
 * scrape time. Enough for /metrics without another dependency.
 */
type Labels = Readonly<Record<string, string>>;
type Sample = { readonly labels: Labels; readonly value: number };

interface Family {
  readonly help: string;
  readonly kind: 'counter' | 'gauge';
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

  async render(): Promise<string> {
    const lines: string[] = [];
    for (const [name, family] of this.families) {
      lines.push(`# HELP ${name} ${family.help}`, `# TYPE ${name} ${family.kind}`);
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
