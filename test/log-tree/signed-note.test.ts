/**
 * Signed notes and checkpoints as C2SP and Go's sumdb/note define them: a known vector from
 * Go's own tests, keys whose base64 holds '+', several signatures, and what must be refused.
 */
import t from 'tap';
import {
  checkpointText, generateSigner, NoteFormatError, openCheckpoint, openNote, parseCheckpointText, parseSignerKey, parseVerifierKey, signNote,
} from '../../src/log-tree/signed-note.js';

// golang.org/x/mod/sumdb/note's example key pair and the note it signs (note_test.go, TestSign).
const GO_SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const GO_VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const GO_SIGNED = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

t.test('Go\'s own vector: the same key hash, verifier key and signature', async (t) => {
  const signer = parseSignerKey(GO_SKEY);
  t.equal(signer.verifierKey, GO_VKEY, 'the verifier key derived from the signer key');
  const text = 'If you think cryptography is the answer to your problem,\nthen you don\'t know what your problem is.\n';
  t.equal(signNote(text, [signer]), GO_SIGNED, 'Ed25519 is deterministic: the very bytes Go signs');
  t.strictSame(openNote(GO_SIGNED, [parseVerifierKey(GO_VKEY)]), { text, verifiedBy: ['PeterNeumann'] });
});

t.test('keys whose base64 holds "+" read back', async (t) => {
  for (let i = 0; i < 40; i += 1) {
    const signer = generateSigner('tongji.hebei.example/pipeline');
    t.equal(parseSignerKey(signer.signerKey).verifierKey, signer.verifierKey);
    t.equal(parseVerifierKey(signer.verifierKey).keyHash, signer.keyHash);
  }
});

t.test('checkpoints: signed, opened, and refused when anything is off', async (t) => {
  const signer = generateSigner('log.example/a');
  const previous = generateSigner('log.example/a');
  const checkpoint = { origin: 'log.example/a', size: 42, root: Buffer.alloc(32, 3) };
  const note = signNote(checkpointText(checkpoint), [signer, previous]);
  t.strictSame(openCheckpoint(note, [parseVerifierKey(signer.verifierKey)]), checkpoint);
  t.strictSame(openCheckpoint(note, [parseVerifierKey(previous.verifierKey)]), checkpoint, 'a rotation: the previous key co-signs');
  t.throws(() => openCheckpoint(note, [parseVerifierKey(generateSigner('log.example/a').verifierKey)]), NoteFormatError, 'another key');
  t.throws(() => openCheckpoint(note.replace('\n42\n', '\n43\n'), [parseVerifierKey(signer.verifierKey)]), NoteFormatError, 'an edited size');
  t.throws(() => openCheckpoint(note, [parseVerifierKey(signer.verifierKey)], 'log.example/b'), NoteFormatError, 'another origin');
  t.throws(() => parseCheckpointText('log\n-1\nAAAA\n'), NoteFormatError);
  t.throws(() => parseVerifierKey(signer.verifierKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), NoteFormatError, 'a key hash that is not its own');
});
