/**
 * Signed notes and checkpoints, as C2SP specifies them (signed-note, tlog-checkpoint) and as
 * Go's golang.org/x/mod/sumdb/note reads them, with Ed25519 keys:
 *
 *   verifier key  <name>+<8 hex digits of key hash>+<base64 of 0x01 ‖ 32-byte public key>
 *   signer key    PRIVATE+KEY+<name>+<key hash>+<base64 of 0x01 ‖ 32-byte seed>
 *   key hash      the first 4 bytes (big-endian) of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key)
 *   note          <text ending in "\n">\n— <name> <base64 of key hash ‖ 64-byte signature>\n …
 *   checkpoint    text = <origin>\n<tree size>\n<base64 root hash>\n
 *
 * The signature is over the text alone. A note may carry several signatures (a key rotation
 * signs with both keys); a reader accepts it when a key it trusts signed it.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

const ED25519 = 0x01;
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');
const SIGNATURE_PREFIX = '\u2014 ';

export interface NoteSigner {
  readonly name: string;
  readonly keyHash: number;
  /** The verifier key, in the form auditors pin. */
  readonly verifierKey: string;
  /** The signer key, in the form it is kept (secret). */
  readonly signerKey: string;
  sign(message: Buffer): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyHash: number;
  readonly verifierKey: string;
  verify(message: Buffer, signature: Buffer): boolean;
}

export class NoteFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoteFormatError';
  }
}

/** As note.isValidName: not empty, no white space, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name);
}

export function keyHashOf(name: string, key: Buffer): number {
  return createHash('sha256').update(name).update('\n').update(key).digest().readUInt32BE(0);
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

/** At most `parts` fields split at '+': the last (base64) may hold '+' itself. */
function splitKey(text: string, parts: number): string[] {
  const fields = text.split('+');
  return fields.length <= parts ? fields : [...fields.slice(0, parts - 1), fields.slice(parts - 1).join('+')];
}

/** A fresh Ed25519 signer named `name`. */
export function generateSigner(name: string): NoteSigner {
  if (!isValidKeyName(name)) throw new NoteFormatError(`a key name has no spaces or '+': ${JSON.stringify(name)}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  return signerFromSeed(name, der.subarray(der.length - 32));
}

/** Reads a signer key (PRIVATE+KEY+name+hash+base64), checking that its hash is its own. */
export function parseSignerKey(text: string): NoteSigner {
  const parts = splitKey(text.trim(), 5);
  if (parts.length !== 5 || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw new NoteFormatError('not a signer key: PRIVATE+KEY+<name>+<hash>+<key>');
  const [, , name = '', hash = '', encoded = ''] = parts;
  const key = Buffer.from(encoded, 'base64');
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hash) || key.length !== 33 || key[0] !== ED25519) {
    throw new NoteFormatError('a signer key holds a name, 8 hex digits and an Ed25519 seed');
  }
  const signer = signerFromSeed(name, key.subarray(1));
  if (hex8(signer.keyHash) !== hash) throw new NoteFormatError(`the signer key's hash ${hash} is not its own (${hex8(signer.keyHash)})`);
  return signer;
}

function signerFromSeed(name: string, seed: Buffer): NoteSigner {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  const publicKey = Buffer.concat([Buffer.from([ED25519]), spki.subarray(spki.length - 32)]);
  const keyHash = keyHashOf(name, publicKey);
  return {
    name,
    keyHash,
    verifierKey: `${name}+${hex8(keyHash)}+${publicKey.toString('base64')}`,
    signerKey: `PRIVATE+KEY+${name}+${hex8(keyHash)}+${Buffer.concat([Buffer.from([ED25519]), seed]).toString('base64')}`,
    sign: (message) => sign(null, message, privateKey),
  };
}

/** Reads a verifier key (name+hash+base64), checking that its hash is its own. */
export function parseVerifierKey(text: string): NoteVerifier {
  const parts = splitKey(text.trim(), 3);
  if (parts.length !== 3) throw new NoteFormatError('not a verifier key: <name>+<hash>+<key>');
  const [name = '', hash = '', encoded = ''] = parts;
  const key = Buffer.from(encoded, 'base64');
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(hash) || key.length !== 33 || key[0] !== ED25519) {
    throw new NoteFormatError('a verifier key holds a name, 8 hex digits and an Ed25519 public key');
  }
  const keyHash = keyHashOf(name, key);
  if (hex8(keyHash) !== hash) throw new NoteFormatError(`the verifier key's hash ${hash} is not its own (${hex8(keyHash)})`);
  const publicKey: KeyObject = createPublicKey({ key: Buffer.concat([SPKI_ED25519, key.subarray(1)]), format: 'der', type: 'spki' });
  return {
    name,
    keyHash,
    verifierKey: `${name}+${hash}+${key.toString('base64')}`,
    verify: (message, signature) => signature.length === 64 && verify(null, message, publicKey, signature),
  };
}

/** The note of `text` signed by each signer. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  if (!text.endsWith('\n')) throw new NoteFormatError('a note\'s text ends with a newline');
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((signer) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(signer.keyHash);
    return `${SIGNATURE_PREFIX}${signer.name} ${Buffer.concat([head, signer.sign(message)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export interface OpenedNote {
  readonly text: string;
  /** The names of the trusted keys whose signatures hold. */
  readonly verifiedBy: readonly string[];
}

/** The note's text, when a key in `verifiers` signed it; throws saying why not. */
export function openNote(note: string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new NoteFormatError('a signed note is its text, a blank line and signature lines');
  const text = note.slice(0, split + 1);
  const signatures = note.slice(split + 2);
  if (!signatures.endsWith('\n')) throw new NoteFormatError('the signature lines end with a newline');
  const message = Buffer.from(text, 'utf8');
  const verifiedBy: string[] = [];
  for (const line of signatures.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIGNATURE_PREFIX)) throw new NoteFormatError(`not a signature line: ${JSON.stringify(line)}`);
    const [name = '', encoded = '', ...extra] = line.slice(SIGNATURE_PREFIX.length).split(' ');
    const bytes = Buffer.from(encoded, 'base64');
    if (extra.length > 0 || bytes.length < 5) throw new NoteFormatError(`a malformed signature line: ${JSON.stringify(line)}`);
    const hash = bytes.readUInt32BE(0);
    const verifier = verifiers.find((candidate) => candidate.name === name && candidate.keyHash === hash);
    if (verifier === undefined) continue; // a key this reader does not know: neither trust nor refuse
    if (!verifier.verify(message, bytes.subarray(4))) throw new NoteFormatError(`the signature of ${name} does not hold`);
    verifiedBy.push(name);
  }
  if (verifiedBy.length === 0) throw new NoteFormatError('no signature by a trusted key');
  return { text, verifiedBy };
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
}

export function checkpointText(checkpoint: Checkpoint): string {
  return `${checkpoint.origin}\n${checkpoint.size}\n${checkpoint.root.toString('base64')}\n`;
}

export function parseCheckpointText(text: string): Checkpoint {
  const [origin = '', size = '', root = ''] = text.split('\n');
  const rootBytes = Buffer.from(root, 'base64');
  if (origin.length === 0 || !/^(0|[1-9][0-9]{0,15})$/.test(size) || rootBytes.length !== 32 || rootBytes.toString('base64') !== root) {
    throw new NoteFormatError('a checkpoint is <origin>\\n<tree size>\\n<base64 root hash>\\n');
  }
  return { origin, size: Number(size), root: rootBytes };
}

/** A signed checkpoint, verified: its text parsed once a trusted key's signature holds. */
export function openCheckpoint(note: string, verifiers: readonly NoteVerifier[], origin?: string): Checkpoint {
  const { text } = openNote(note, verifiers);
  const checkpoint = parseCheckpointText(text);
  if (origin !== undefined && checkpoint.origin !== origin) throw new NoteFormatError(`the checkpoint is of ${checkpoint.origin}, not ${origin}`);
  return checkpoint;
}
