/**
 * The hard rules of the key streams, by stable name (the problem's `rule`, status 409).
 * Kept beside the decider; commands/rules.ts may spread them into the one list.
 */
export const KEY_RULES = {
  'key-already-issued': 'a key id is issued once',
  'key-not-issued': 'only an issued key can be revoked',
  'key-already-revoked': 'a key is revoked once; it never works again',
  'key-regions-distinct': 'a key lists each region once',
} as const;

export type KeyRuleName = keyof typeof KEY_RULES;
