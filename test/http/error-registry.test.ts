/**
 * The registries clients read about: every error code the app can answer is in README.md's
 * error-code table with the status the app answers it with, and every domain rule a 409 can
 * name is a stable kebab-case name with a description.
 */
import t from 'tap';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES, errors } from '../../src/http/errors.js';
import { PROJECT_RULES, RULES, RULE_NAMES, TARGET_AND_BATCH_RULES } from '../../commands/rules.js';
import { KEY_RULES } from '../../commands/keys/rules.js';
import { REGION_RULES } from '../../commands/regions/rules.js';

const README = fileURLToPath(new URL('../../README.md', import.meta.url));

/** The rows of README.md's "Error codes" table: code → documented status. */
function documentedCodes(): Map<string, number> {
  const text = readFileSync(README, 'utf8');
  const section = text.split(/^#+ Error codes\s*$/m)[1]?.split(/^#+ /m)[0] ?? '';
  const rows = new Map<string, number>();
  for (const match of section.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) {
    const [, code, status] = match;
    if (code !== undefined && status !== undefined) rows.set(code, Number(status));
  }
  return rows;
}

t.test('every error code is in README.md\'s table, with the status the app answers', async (t) => {
  const documented = documentedCodes();
  t.ok(documented.size >= 10, 'the table is found and read');
  t.ok(ERROR_CODES.length > 0);
  for (const make of Object.values(errors)) {
    const { code, statusCode } = make('');
    t.equal(documented.get(code), statusCode, `${code} is documented as ${String(statusCode)}`);
  }
  const registered = new Set(ERROR_CODES);
  for (const code of documented.keys()) {
    t.ok(registered.has(code), `${code} in the README is a code the app has`);
  }
  t.equal(registered.size, ERROR_CODES.length, 'no code is registered twice');
  t.ok(ERROR_CODES.every((code) => code.startsWith('PIPELINE_')), 'every code is app-prefixed');
});

t.test('every domain rule is a kebab-case name with a description', async (t) => {
  t.ok(RULE_NAMES.length > 0);
  for (const [name, description] of Object.entries(RULES)) {
    t.match(name, /^[a-z][a-z0-9]*(-[a-z0-9]+)+$/, `${name} is kebab-case`);
    t.type(description, 'string', `${name} has a description`);
    t.ok(description.trim().length >= 10, `${name}'s description says something`);
  }
  const parts = [PROJECT_RULES, TARGET_AND_BATCH_RULES, KEY_RULES, REGION_RULES];
  const all = parts.flatMap((part) => Object.keys(part));
  t.equal(new Set(all).size, all.length, 'no two rule lists share a name (spreading them would hide one)');
  t.equal(RULE_NAMES.length, all.length, 'RULES holds every rule list');
});
