/**
 * The tree's hashing and proofs (RFC 6962 / 9162): each proof checked by its checker for every
 * leaf and pair of sizes up to 40, roots against the RFC's recursive definition, and a wrong
 * hash, index or size refused. The tiled file against the same definition past two tile levels.
 */
import t from 'tap';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import {
  consistencyProof, inclusionProof, leafHash, nodeHash, RootBuilder, splitPoint, treeRoot, verifyConsistency, verifyInclusion,
  type Hash, type NodeSource,
} from '../../src/log-tree/merkle.js';
import { TreeFile } from '../../src/log-tree/tree-file.js';

const leaves = (n: number): Hash[] => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));

/** MTH straight from RFC 6962 §2.1. */
function mth(hashes: readonly Hash[]): Hash {
  if (hashes.length === 0) return createHash('sha256').digest();
  if (hashes.length === 1) return hashes[0] ?? Buffer.alloc(0);
  const k = splitPoint(hashes.length);
  return nodeHash(mth(hashes.slice(0, k)), mth(hashes.slice(k)));
}

function arraySource(hashes: readonly Hash[]): NodeSource {
  return { node: (height, index) => mth(hashes.slice(index * 2 ** height, (index + 1) * 2 ** height)) };
}

t.test('the empty tree is SHA-256 of nothing; RFC 6962 leaf and node prefixes', async (t) => {
  t.equal(treeRoot(arraySource([]), 0).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.equal(leafHash('').toString('hex'), '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
});

t.test('inclusion proofs hold for every leaf of every size, and fail on anything else', async (t) => {
  const all = leaves(40);
  const source = arraySource(all);
  for (let size = 1; size <= 40; size += 1) {
    const root = mth(all.slice(0, size));
    t.ok(treeRoot(source, size).equals(root), `root of ${size}`);
    for (let index = 0; index < size; index += 1) {
      const proof = inclusionProof(source, index, size);
      const leaf = all[index] ?? Buffer.alloc(0);
      if (!verifyInclusion(index, size, leaf, proof, root)) t.fail(`leaf ${index} of ${size}`);
      if (size > 1 && verifyInclusion((index + 1) % size, size, leaf, proof, root)) t.fail(`leaf ${index} of ${size} at another index`);
      if (verifyInclusion(index, size, leafHash('forged'), proof, root)) t.fail(`a forged leaf ${index} of ${size}`);
    }
  }
});

t.test('consistency proofs hold for every pair of sizes, and fail for a changed prefix', async (t) => {
  const all = leaves(40);
  const altered = [...all];
  altered[3] = leafHash('altered');
  const source = arraySource(all);
  for (let to = 1; to <= 40; to += 1) {
    for (let from = 1; from <= to; from += 1) {
      const proof = consistencyProof(source, from, to);
      const fromRoot = mth(all.slice(0, from));
      const toRoot = mth(all.slice(0, to));
      if (!verifyConsistency(from, to, fromRoot, toRoot, proof)) t.fail(`${from} → ${to}`);
      if (from > 3 && verifyConsistency(from, to, mth(altered.slice(0, from)), toRoot, proof)) t.fail(`${from} → ${to} over an altered prefix`);
      if (from < to && verifyConsistency(from, to, fromRoot, mth(all.slice(0, to - 1)), proof) && to - 1 !== from) t.fail(`${from} → ${to} against another root`);
    }
  }
  t.pass('checked');
});

t.test('the root builder agrees with the definition', async (t) => {
  const all = leaves(300);
  const builder = new RootBuilder();
  for (const [i, leaf] of all.entries()) {
    builder.push(leaf);
    if (!builder.root().equals(mth(all.slice(0, i + 1)))) t.fail(`size ${i + 1}`);
  }
  t.equal(builder.size, 300);
});

t.test('the tiled tree file: roots, nodes and positions past two tile levels, and after reopening', async (t) => {
  const db = new Database(':memory:');
  const file = new TreeFile(db);
  const all = leaves(66_000);
  // Positions with a gap: the runs must map them both ways.
  const positionOf = (i: number) => (i < 1000 ? i + 1 : i + 51);
  for (let from = 0; from < all.length; from += 7000) {
    file.append(all.slice(from, from + 7000).map((hash, i) => ({ position: positionOf(from + i), hash })));
  }
  t.equal(file.size, all.length);
  const roots = new Map<number, Hash>();
  const builder = new RootBuilder();
  for (const leaf of all) {
    builder.push(leaf);
    if ([1, 255, 256, 257, 65_535, 65_536, 66_000].includes(builder.size)) roots.set(builder.size, builder.root());
  }
  for (const [size, root] of roots) t.ok(file.root(size).equals(root), `root of ${size}`);
  t.ok(file.node(16, 0).equals(mth(all.slice(0, 65_536))), 'the node of height 16');
  t.ok(file.node(11, 3).equals(mth(all.slice(3 * 2048, 4 * 2048))), 'a node between stored levels');
  const proof = inclusionProof(file, 65_999, 66_000);
  t.ok(verifyInclusion(65_999, 66_000, all[65_999] ?? Buffer.alloc(0), proof, roots.get(66_000) ?? Buffer.alloc(0)));
  t.equal(file.positionOf(999), 1000);
  t.equal(file.positionOf(1000), 1051);
  t.equal(file.leafIndexOf(1051), 1000);
  t.equal(file.leafIndexOf(1020), undefined, 'a position in the gap is no leaf');
  t.equal(file.lastPosition, positionOf(65_999));
  const reopened = new TreeFile(db);
  t.equal(reopened.size, 66_000);
  reopened.append([{ position: 70_000, hash: leafHash('one more') }]);
  builder.push(leafHash('one more'));
  t.ok(reopened.root().equals(builder.root()), 'a reopened file goes on from its right edge');
  t.throws(() => reopened.append([{ position: 69_999, hash: leafHash('late') }]), RangeError, 'positions only grow');
});
