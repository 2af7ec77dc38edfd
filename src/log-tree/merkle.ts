/**
 * The log's Merkle tree, RFC 6962 / RFC 9162 §2.1: leaf hash = SHA-256(0x00 ‖ leaf), interior
 * node = SHA-256(0x01 ‖ left ‖ right), the tree of n leaves split at the largest power of two
 * below n. Each proof function has its checker beside it (RFC 9162 §2.1.3.2 and §2.1.4.2),
 * and the two are tested against each other and against Go's sumdb/tlog.
 *
 * Proofs read hashes through a NodeSource: the hash of a complete subtree, addressed by its
 * height and index (node (h, n) covers leaves [n·2^h, (n+1)·2^h)). Where those come from (tiles
 * in SQLite, an array in a test) is the source's business.
 */
import { hash } from 'node:crypto';

export type Hash = Buffer;

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

export function leafHash(leaf: Uint8Array | string): Hash {
  const bytes = typeof leaf === 'string' ? Buffer.from(leaf, 'utf8') : leaf;
  return hash('sha256', Buffer.concat([LEAF_PREFIX, bytes]), 'buffer');
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return hash('sha256', Buffer.concat([NODE_PREFIX, left, right], 1 + 2 * HASH_SIZE), 'buffer');
}

/** The hash of a complete subtree: height h, index n, covering leaves [n·2^h, (n+1)·2^h). */
export interface NodeSource {
  node(height: number, index: number): Hash;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && Number.isInteger(Math.log2(n));
}

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[lo:hi]) for a range the RFC's recursion produces: lo is a multiple of the split of hi − lo. */
export function rangeHash(source: NodeSource, lo: number, hi: number): Hash {
  const width = hi - lo;
  if (width <= 0) throw new RangeError(`empty range [${lo}, ${hi})`);
  if (isPowerOfTwo(width) && lo % width === 0) return source.node(Math.log2(width), lo / width);
  const k = splitPoint(width);
  return nodeHash(rangeHash(source, lo, lo + k), rangeHash(source, lo + k, hi));
}

/** The root of the tree of `size` leaves (SHA-256 of nothing for the empty tree, RFC 9162). */
export function treeRoot(source: NodeSource, size: number): Hash {
  return size === 0 ? hash('sha256', Buffer.alloc(0), 'buffer') : rangeHash(source, 0, size);
}

/** PATH(index, D[size]): the audit path of leaf `index`, leaf to root. */
export function inclusionProof(source: NodeSource, index: number, size: number): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  const path: Hash[] = [];
  const walk = (m: number, lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    if (m < k) {
      walk(m, lo, lo + k);
      path.push(rangeHash(source, lo + k, hi));
    } else {
      walk(m - k, lo + k, hi);
      path.push(rangeHash(source, lo, lo + k));
    }
  };
  walk(index, 0, size);
  return path;
}

/** PROOF(from, D[to]): that the tree of `from` leaves is a prefix of the tree of `to`. */
export function consistencyProof(source: NodeSource, from: number, to: number): Hash[] {
  if (!(from >= 0 && from <= to)) throw new RangeError(`no consistency proof from ${from} to ${to}`);
  if (from === 0 || from === to) return [];
  const proof: Hash[] = [];
  const sub = (m: number, lo: number, hi: number, whole: boolean): void => {
    const n = hi - lo;
    if (m === n) {
      if (!whole) proof.push(rangeHash(source, lo, hi));
      return;
    }
    const k = splitPoint(n);
    if (m <= k) {
      sub(m, lo, lo + k, whole);
      proof.push(rangeHash(source, lo + k, hi));
    } else {
      sub(m - k, lo + k, hi, false);
      proof.push(rangeHash(source, lo, lo + k));
    }
  };
  sub(from, 0, to, true);
  return proof;
}

/** RFC 9162 §2.1.3.2: whether `proof` shows leaf `index` (hash `leaf`) in the tree of `size` with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  if (!(index >= 0 && index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree (`from`, `fromRoot`) a prefix of (`to`, `toRoot`). */
export function verifyConsistency(from: number, to: number, fromRoot: Hash, toRoot: Hash, proof: readonly Hash[]): boolean {
  if (from < 0 || from > to) return false;
  if (from === to) return proof.length === 0 && fromRoot.equals(toRoot);
  if (from === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = [...proof];
  // A `from` that is a power of two is itself a node of the bigger tree: the proof leaves it out.
  if (isPowerOfTwo(from)) path.unshift(fromRoot);
  let fn = from - 1;
  let sn = to - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  const [first, ...rest] = path;
  if (first === undefined) return false;
  let fr = first;
  let sr = first;
  for (const c of rest) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(fromRoot) && sr.equals(toRoot);
}

/**
 * The root of a growing list of leaves, one leaf at a time, holding O(log n) hashes: the
 * complete subtrees of the right edge (a "compact range"). Verification rebuilds the tree
 * from the log with it, and the offline auditor's --full from downloaded leaves.
 */
export class RootBuilder {
  /** Complete subtrees, largest first: heights strictly decreasing. */
  private readonly stack: Array<{ height: number; hash: Hash }> = [];
  size = 0;

  push(leafHashValue: Hash): void {
    let node = { height: 0, hash: leafHashValue };
    for (let top = this.stack.at(-1); top !== undefined && top.height === node.height; top = this.stack.at(-1)) {
      this.stack.pop();
      node = { height: node.height + 1, hash: nodeHash(top.hash, node.hash) };
    }
    this.stack.push(node);
    this.size += 1;
  }

  root(): Hash {
    if (this.stack.length === 0) return hash('sha256', Buffer.alloc(0), 'buffer');
    let acc: Hash | undefined;
    for (let i = this.stack.length - 1; i >= 0; i -= 1) {
      const entry = this.stack[i];
      if (entry === undefined) continue;
      acc = acc === undefined ? entry.hash : nodeHash(entry.hash, acc);
    }
    return acc ?? hash('sha256', Buffer.alloc(0), 'buffer');
  }
}
