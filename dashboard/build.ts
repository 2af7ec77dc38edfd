/**
 * Builds the dashboard (dashboard/src) into dashboard/dist: one script and one stylesheet
 * bundled by esbuild, ECharts included from npm, names carrying a content hash, and
 * index.html pointing at them. Nothing is fetched at run time.
 *
 *   npm run build:dashboard [-- --out <directory>] [--no-minify]
 *
 * `npm ci` runs it (the `prepare` script), so a fresh install serves the page; `npm run
 * demo` runs it first; the browser tests build into a directory of their own.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DASHBOARD_SOURCE = join(HERE, 'src');
export const DEFAULT_OUT = join(HERE, 'dist');
/** Where index.html finds the bundles: the server serves dist/assets there. */
const ASSET_PATH = '/dashboard/assets/';

export interface BuiltDashboard {
  readonly outDir: string;
  readonly script: string;
  readonly stylesheet: string;
  readonly bytes: number;
  readonly ms: number;
}

export async function buildDashboard(options: { readonly outDir?: string; readonly minify?: boolean } = {}): Promise<BuiltDashboard> {
  const started = performance.now();
  const outDir = resolve(options.outDir ?? DEFAULT_OUT);
  const assets = join(outDir, 'assets');
  rmSync(assets, { recursive: true, force: true });
  mkdirSync(assets, { recursive: true });
  const result = await build({
    entryPoints: { app: join(DASHBOARD_SOURCE, 'main.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // What a bureau's or a 大屏's browser of the last few years runs.
    target: ['chrome100', 'edge100', 'firefox100', 'safari15'],
    minify: options.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'linked',
    entryNames: '[name]-[hash]',
    outdir: assets,
    metafile: true,
    logLevel: 'silent',
    charset: 'utf8',
    tsconfig: join(HERE, 'tsconfig.json'),
  });
  const outputs = Object.keys(result.metafile.outputs).map((path) => resolve(path));
  const script = outputs.find((path) => path.endsWith('.js'));
  const stylesheet = outputs.find((path) => path.endsWith('.css'));
  if (script === undefined || stylesheet === undefined) throw new Error(`esbuild wrote no script or no stylesheet: ${outputs.join(', ')}`);
  const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);

  const template = readFileSync(join(HERE, 'index.html'), 'utf8');
  const html = template
    .replace('<!-- stylesheet -->', `<link rel="stylesheet" href="${ASSET_PATH}${basename(stylesheet)}">`)
    .replace('<!-- script -->', `<script type="module" src="${ASSET_PATH}${basename(script)}"></script>`);
  // Written beside and renamed: a server reading index.html never sees half of it.
  const temporary = join(outDir, `.index-${process.pid}.html`);
  writeFileSync(temporary, html);
  renameSync(temporary, join(outDir, 'index.html'));
  return { outDir, script, stylesheet, bytes, ms: performance.now() - started };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-minify': { type: 'boolean', default: false } } });
  const built = await buildDashboard({ ...(values.out === undefined ? {} : { outDir: values.out }), minify: !values['no-minify'] });
  process.stderr.write(`dashboard built in ${Math.round(built.ms)} ms: ${relative(process.cwd(), built.outDir) || '.'} (${(built.bytes / 1024).toFixed(0)} KiB with source maps)\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`dashboard build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
