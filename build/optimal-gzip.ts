/**
 * gzip (RFC 1952) with an optimal parse, for the pages' precompressed
 * copies: what nginx sends on every 502, 503 and 504, where a page that
 * fits the first round trip (about 14,480 bytes with Linux's initial
 * congestion window of ten segments, headers included) spares each
 * visitor a second one.
 *
 * The method is zopfli's (github.com/google/zopfli): every match at every
 * position is found once; the shortest path through them is searched
 * again and again with each pass's symbol statistics as the next pass's
 * costs; the result is split into blocks where separate Huffman codes pay.
 * On the page: 13,305 bytes, where the zopfli command writes 13,298 and
 * zlib's level 9 (Node's), which picks its matches as it reads, 13,747.
 *
 * Written here rather than taken from a package: the npm ports of zopfli
 * are native addons (a compiler, or a binary fetched at install, on the
 * operator's machine where `backsoon build` runs) or a WebAssembly build of
 * the C code, one more dependency among the build's peers; this file needs
 * nothing but Node. The output is deterministic (no clock, no randomness
 * but a seeded one), and `optimalGzip` checks every result by inflating it
 * with Node's zlib.
 */
import { gunzipSync } from 'node:zlib';

/** The distances deflate can refer back (RFC 1951, 2.3). */
const WINDOW = 32_768;
const MIN_MATCH = 3;
const MAX_MATCH = 258;
/** Candidates compared per position, as zopfli's ZOPFLI_MAX_CHAIN_HITS: past it, rarely a better match. */
const MAX_CHAIN = 8192;
/** Passes of the optimal parse per block, as zopfli's default `--i15`. */
const ITERATIONS = 15;
/** At most this many blocks (zopfli's default): each costs a header. */
const MAX_BLOCKS = 15;
/** Split points tried in a range of the LZ77 stream. */
const SPLIT_CANDIDATES = 64;
const END_OF_BLOCK = 256;

// RFC 1951, 3.2.5: lengths 3..258 as codes 257..285, distances 1..32768 as codes 0..29.
const LENGTH_BASE = [
  3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [
  1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
  8193, 12289, 16385, 24577,
];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
/** The order the code length code's lengths are written in (RFC 1951, 3.2.7). */
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Code (0..28, for 257..285) of each match length. */
const LENGTH_CODE = new Uint8Array(MAX_MATCH + 1);
for (let code = 0; code < LENGTH_BASE.length; code++) {
  const last = code + 1 < LENGTH_BASE.length ? LENGTH_BASE[code + 1]! - 1 : MAX_MATCH;
  for (let length = LENGTH_BASE[code]!; length <= last; length++) LENGTH_CODE[length] = code;
}
// 258 has a code of its own (285), not code 27's last length.
LENGTH_CODE[MAX_MATCH] = 28;

/** Code (0..29) of each distance. */
const DIST_CODE = new Uint8Array(WINDOW + 1);
for (let code = 0; code < DIST_BASE.length; code++) {
  const last = code + 1 < DIST_BASE.length ? DIST_BASE[code + 1]! - 1 : WINDOW;
  for (let distance = DIST_BASE[code]!; distance <= last; distance++) DIST_CODE[distance] = code;
}

/**
 * Every useful match of every position: for position i, the pairs
 * `start[i]..start[i+1]` give lengths growing and, for each, the nearest
 * distance reaching it (a length between two pairs takes the later pair's
 * distance).
 */
interface Matches {
  start: Int32Array;
  length: Uint16Array;
  distance: Uint16Array;
  /** How many bytes from each position on are the same byte. */
  run: Int32Array;
}

function findMatches(data: Uint8Array): Matches {
  const n = data.length;
  const start = new Int32Array(n + 1);
  let length: Uint16Array = new Uint16Array(Math.max(16, n));
  let distance: Uint16Array = new Uint16Array(Math.max(16, n));
  let pairs = 0;
  const head = new Int32Array(1 << 16).fill(-1);
  const previous = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    start[i] = pairs;
    if (i + MIN_MATCH > n) continue;
    const hash = ((data[i]! << 8) ^ (data[i + 1]! << 4) ^ data[i + 2]!) & 0xffff;
    const longest = Math.min(MAX_MATCH, n - i);
    let best = MIN_MATCH - 1;
    let chain = MAX_CHAIN;
    for (let j = head[hash]!; j >= 0 && i - j <= WINDOW && chain-- > 0; j = previous[j]!) {
      if (data[j + best] !== data[i + best]) continue;
      let l = 0;
      while (l < longest && data[j + l] === data[i + l]) l++;
      if (l <= best) continue;
      if (pairs === length.length) {
        length = grow(length);
        distance = grow(distance);
      }
      length[pairs] = l;
      distance[pairs] = i - j;
      pairs++;
      best = l;
      if (l === longest) break;
    }
    previous[i] = head[hash]!;
    head[hash] = i;
  }
  start[n] = pairs;
  const run = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--) run[i] = i + 1 < n && data[i] === data[i + 1] ? run[i + 1]! + 1 : 1;
  return { start, length, distance, run };
}

function grow(array: Uint16Array): Uint16Array {
  const bigger = new Uint16Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** An LZ77 stream: a literal is its byte in `length`, with distance 0; a match its length and distance. */
interface Lz77 {
  length: Uint16Array;
  distance: Uint16Array;
  /** Bytes of input each symbol starts at (for splitting), and the end. */
  position: Int32Array;
  size: number;
}

/** Symbol frequencies of a stream's range: 286 literal/length codes, 30 distance codes. */
interface Histogram {
  litLen: Float64Array;
  dist: Float64Array;
}

function histogram(lz: Lz77, from = 0, to = lz.size): Histogram {
  const litLen = new Float64Array(286);
  const dist = new Float64Array(30);
  for (let k = from; k < to; k++) addSymbol(litLen, dist, lz, k, 1);
  litLen[END_OF_BLOCK] = 1;
  return { litLen, dist };
}

function addSymbol(litLen: Float64Array, dist: Float64Array, lz: Lz77, k: number, weight: number): void {
  const d = lz.distance[k]!;
  if (d === 0) {
    litLen[lz.length[k]!]! += weight;
  } else {
    litLen[257 + LENGTH_CODE[lz.length[k]!]!]! += weight;
    dist[DIST_CODE[d]!]! += weight;
  }
}

/** Bits per symbol: the entropy of the counts (zopfli's cost model). */
interface Costs {
  literal: Float64Array;
  /** By match length, extra bits included. */
  length: Float64Array;
  /** By distance code, extra bits included. */
  distCode: Float64Array;
}

function entropyBits(counts: Float64Array): Float64Array {
  const sum = counts.reduce((a, b) => a + b, 0);
  const log2Sum = Math.log2(sum === 0 ? counts.length : sum);
  return counts.map((c) => (c === 0 ? log2Sum : Math.max(0, log2Sum - Math.log2(c))));
}

function costsFrom(litLenBits: ArrayLike<number>, distBits: ArrayLike<number>): Costs {
  const literal = new Float64Array(256);
  for (let s = 0; s < 256; s++) literal[s] = litLenBits[s]!;
  const length = new Float64Array(MAX_MATCH + 1);
  for (let l = MIN_MATCH; l <= MAX_MATCH; l++) {
    const code = LENGTH_CODE[l]!;
    length[l] = litLenBits[257 + code]! + LENGTH_EXTRA[code]!;
  }
  const distCode = new Float64Array(30);
  for (let code = 0; code < 30; code++) distCode[code] = distBits[code]! + DIST_EXTRA[code]!;
  return { literal, length, distCode };
}

/** The fixed Huffman code's lengths (RFC 1951, 3.2.6): the first pass's costs. */
function fixedLitLenLengths(): Uint8Array {
  const lengths = new Uint8Array(288);
  lengths.fill(8, 0, 144);
  lengths.fill(9, 144, 256);
  lengths.fill(7, 256, 280);
  lengths.fill(8, 280, 288);
  return lengths;
}
const FIXED_DIST_LENGTHS = new Uint8Array(30).fill(5);

/** The cheapest parse of `data[from..to)` under `costs`: a shortest path over the matches. */
function optimalParse(data: Uint8Array, matches: Matches, from: number, to: number, costs: Costs): Lz77 {
  const size = to - from;
  const cost = new Float64Array(size + 1).fill(Infinity);
  const stepLength = new Uint16Array(size + 1);
  const stepDistance = new Uint16Array(size + 1);
  cost[0] = 0;
  const runMatch = costs.length[MAX_MATCH]! + costs.distCode[0]!;
  for (let k = 0; k < size; k++) {
    let i = from + k;
    // Deep inside a run of one byte, the longest match is the answer:
    // taken 258 bytes at a time without weighing every length (zopfli's
    // shortcut for long repetitions).
    if (
      matches.run[i]! > 2 * MAX_MATCH &&
      k > MAX_MATCH + 1 &&
      i + 2 * MAX_MATCH + 1 < to &&
      matches.run[i - MAX_MATCH]! > MAX_MATCH
    ) {
      for (let r = 0; r < MAX_MATCH; r++, k++) {
        cost[k + MAX_MATCH] = cost[k]! + runMatch;
        stepLength[k + MAX_MATCH] = MAX_MATCH;
        stepDistance[k + MAX_MATCH] = 1;
      }
      i = from + k;
    }
    const here = cost[k]!;
    const literal = here + costs.literal[data[i]!]!;
    if (literal < cost[k + 1]!) {
      cost[k + 1] = literal;
      stepLength[k + 1] = 1;
      stepDistance[k + 1] = 0;
    }
    const longest = Math.min(MAX_MATCH, to - i);
    let shorter = MIN_MATCH - 1;
    for (let p = matches.start[i]!; p < matches.start[i + 1]! && shorter < longest; p++) {
      const d = matches.distance[p]!;
      const base = here + costs.distCode[DIST_CODE[d]!]!;
      const last = Math.min(matches.length[p]!, longest);
      for (let l = shorter + 1; l <= last; l++) {
        const total = base + costs.length[l]!;
        if (total < cost[k + l]!) {
          cost[k + l] = total;
          stepLength[k + l] = l;
          stepDistance[k + l] = d;
        }
      }
      shorter = last;
    }
  }
  // Back from the end, then forwards.
  let count = 0;
  for (let k = size; k > 0; k -= stepLength[k]!) count++;
  const lz: Lz77 = {
    length: new Uint16Array(count),
    distance: new Uint16Array(count),
    position: new Int32Array(count + 1),
    size: count,
  };
  let k = size;
  for (let s = count - 1; s >= 0; s--) {
    const step = stepLength[k]!;
    lz.distance[s] = stepDistance[k]!;
    k -= step;
    lz.position[s] = from + k;
    lz.length[s] = lz.distance[s] === 0 ? data[from + k]! : step;
  }
  lz.position[count] = to;
  return lz;
}

/** Code lengths of at most `maxBits` for `counts`, optimal for that limit (package-merge). */
export function codeLengths(counts: ArrayLike<number>, maxBits: number): Uint8Array {
  const lengths = new Uint8Array(counts.length);
  const used: number[] = [];
  for (let s = 0; s < counts.length; s++) if (counts[s]! > 0) used.push(s);
  if (used.length === 0) return lengths;
  if (used.length === 1) {
    lengths[used[0]!] = 1;
    return lengths;
  }
  interface Item {
    weight: number;
    symbol: number;
    children?: [Item, Item];
  }
  const leaves: Item[] = used
    .map((symbol) => ({ weight: counts[symbol]!, symbol }))
    .sort((a, b) => a.weight - b.weight || a.symbol - b.symbol);
  let list = leaves;
  for (let level = 1; level < maxBits; level++) {
    const packages: Item[] = [];
    for (let k = 0; k + 1 < list.length; k += 2)
      packages.push({ weight: list[k]!.weight + list[k + 1]!.weight, symbol: -1, children: [list[k]!, list[k + 1]!] });
    const merged: Item[] = [];
    let a = 0;
    let b = 0;
    while (a < leaves.length || b < packages.length) {
      if (b >= packages.length || (a < leaves.length && leaves[a]!.weight <= packages[b]!.weight))
        merged.push(leaves[a++]!);
      else merged.push(packages[b++]!);
    }
    list = merged;
  }
  const stack = list.slice(0, 2 * used.length - 2);
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (item.children) stack.push(...item.children);
    else lengths[item.symbol]!++;
  }
  return lengths;
}

/** The canonical codes of `lengths`, bit-reversed for deflate's LSB-first writing (RFC 1951, 3.2.2). */
function canonicalCodes(lengths: Uint8Array): Uint16Array {
  const maxBits = Math.max(0, ...lengths);
  const perLength = new Uint16Array(maxBits + 1);
  for (const l of lengths) if (l > 0) perLength[l]!++;
  const next = new Uint16Array(maxBits + 2);
  let code = 0;
  for (let bits = 1; bits <= maxBits; bits++) {
    code = (code + perLength[bits - 1]!) << 1;
    next[bits] = code;
  }
  const codes = new Uint16Array(lengths.length);
  lengths.forEach((l, symbol) => {
    if (l === 0) return;
    let c = next[l]!++;
    let reversed = 0;
    for (let b = 0; b < l; b++) {
      reversed = (reversed << 1) | (c & 1);
      c >>= 1;
    }
    codes[symbol] = reversed;
  });
  return codes;
}

/** At least two codes in a tree: some decoders reject a lone one. */
function withTwoSymbols(counts: Float64Array): Float64Array {
  const patched = counts.slice();
  let used = patched.reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
  for (let s = 0; used < 2; s++) {
    if (patched[s] === 0) {
      patched[s] = 1;
      used++;
    }
  }
  return patched;
}

/** One step of the code lengths' run-length encoding: a symbol 0..18 and its extra bits' value. */
interface RunStep {
  symbol: number;
  extra: number;
}

/** The code lengths as symbols of the code length code, with or without each of its repeat codes. */
function runLengths(lengths: Uint8Array, use16: boolean, use17: boolean, use18: boolean): RunStep[] {
  const steps: RunStep[] = [];
  for (let i = 0; i < lengths.length;) {
    const value = lengths[i]!;
    let run = 1;
    while (i + run < lengths.length && lengths[i + run] === value) run++;
    i += run;
    if (value === 0) {
      while (use18 && run >= 11) {
        const k = Math.min(run, 138);
        steps.push({ symbol: 18, extra: k - 11 });
        run -= k;
      }
      while (use17 && run >= 3) {
        const k = Math.min(run, 10);
        steps.push({ symbol: 17, extra: k - 3 });
        run -= k;
      }
    } else if (use16 && run >= 4) {
      steps.push({ symbol: value, extra: 0 });
      run--;
      while (run >= 3) {
        const k = Math.min(run, 6);
        steps.push({ symbol: 16, extra: k - 3 });
        run -= k;
      }
    }
    for (; run > 0; run--) steps.push({ symbol: value, extra: 0 });
  }
  return steps;
}

const RUN_EXTRA_BITS: Record<number, number> = { 16: 2, 17: 3, 18: 7 };

/** A dynamic block's Huffman codes and header, and its size. */
interface BlockCodes {
  litLenLengths: Uint8Array;
  distLengths: Uint8Array;
  litLenCount: number;
  distCount: number;
  steps: RunStep[];
  codeLengthLengths: Uint8Array;
  codeLengthCount: number;
  headerBits: number;
  /** Header and symbols, without the block's first three bits. */
  totalBits: number;
}

/**
 * The codes for a block: Huffman's, or those of counts evened out into
 * runs, whose lengths run-length encode into a smaller header (zopfli's
 * OptimizeHuffmanForRle), whichever makes the smaller block.
 */
function blockCodes(h: Histogram): BlockCodes {
  const plain = codesFor(h, codeLengths(withTwoSymbols(h.litLen), 15), codeLengths(withTwoSymbols(h.dist), 15));
  const evened = codesFor(
    h,
    codeLengths(withTwoSymbols(evenedForRuns(h.litLen)), 15),
    codeLengths(withTwoSymbols(evenedForRuns(h.dist)), 15),
  );
  return evened.totalBits < plain.totalBits ? evened : plain;
}

/** The header for these code lengths: the smallest of the run-length encodings. */
function codesFor(h: Histogram, litLenLengths: Uint8Array, distLengths: Uint8Array): BlockCodes {
  let litLenCount = 286;
  while (litLenCount > 257 && litLenLengths[litLenCount - 1] === 0) litLenCount--;
  let distCount = 30;
  while (distCount > 1 && distLengths[distCount - 1] === 0) distCount--;
  const all = new Uint8Array(litLenCount + distCount);
  all.set(litLenLengths.subarray(0, litLenCount));
  all.set(distLengths.subarray(0, distCount), litLenCount);
  const symbolBits = dataBits(h, litLenLengths, distLengths);
  let best: BlockCodes | undefined;
  for (let flags = 0; flags < 8; flags++) {
    const steps = runLengths(all, (flags & 1) !== 0, (flags & 2) !== 0, (flags & 4) !== 0);
    const counts = new Float64Array(19);
    for (const step of steps) counts[step.symbol]!++;
    const codeLengthLengths = codeLengths(withTwoSymbols(counts), 7);
    let codeLengthCount = 19;
    while (codeLengthCount > 4 && codeLengthLengths[CODE_LENGTH_ORDER[codeLengthCount - 1]!] === 0) codeLengthCount--;
    let headerBits = 5 + 5 + 4 + 3 * codeLengthCount;
    for (const step of steps) headerBits += codeLengthLengths[step.symbol]! + (RUN_EXTRA_BITS[step.symbol] ?? 0);
    if (!best || headerBits < best.headerBits)
      best = {
        litLenLengths,
        distLengths,
        litLenCount,
        distCount,
        steps,
        codeLengthLengths,
        codeLengthCount,
        headerBits,
        totalBits: headerBits + symbolBits,
      };
  }
  return best!;
}

/**
 * Counts with near-equal neighbours made equal, so that their code lengths
 * form runs (zopfli's OptimizeHuffmanForRle, after Brotli's). Used counts
 * stay above 0, unused ones at 0; runs already long enough are kept.
 */
function evenedForRuns(original: Float64Array): Float64Array {
  const counts = original.slice();
  let length = counts.length;
  while (length > 0 && counts[length - 1] === 0) length--;
  if (length === 0) return counts;
  const keep = new Uint8Array(length);
  let symbol = counts[0]!;
  let stride = 0;
  for (let i = 0; i <= length; i++) {
    if (i === length || counts[i] !== symbol) {
      if ((symbol === 0 && stride >= 5) || (symbol !== 0 && stride >= 7)) keep.fill(1, i - stride, i);
      stride = 1;
      if (i !== length) symbol = counts[i]!;
    } else {
      stride++;
    }
  }
  stride = 0;
  let limit = counts[0]!;
  let sum = 0;
  for (let i = 0; i <= length; i++) {
    if (i === length || keep[i] || Math.abs(counts[i]! - limit) >= 4) {
      if (stride >= 4 || (stride >= 3 && sum === 0)) {
        const count = sum === 0 ? 0 : Math.max(1, Math.floor((sum + Math.floor(stride / 2)) / stride));
        counts.fill(count, i - stride, i);
      }
      stride = 0;
      sum = 0;
      if (i < length - 3) limit = Math.floor((counts[i]! + counts[i + 1]! + counts[i + 2]! + counts[i + 3]! + 2) / 4);
      else limit = i < length ? counts[i]! : 0;
    }
    stride++;
    if (i !== length) sum += counts[i]!;
  }
  return counts;
}

function dataBits(h: Histogram, litLenLengths: ArrayLike<number>, distLengths: ArrayLike<number>): number {
  let bits = 0;
  for (let s = 0; s < 286; s++) {
    const extra = s > 256 ? LENGTH_EXTRA[s - 257]! : 0;
    bits += h.litLen[s]! * (litLenLengths[s]! + extra);
  }
  for (let s = 0; s < 30; s++) bits += h.dist[s]! * (distLengths[s]! + DIST_EXTRA[s]!);
  return bits;
}

/** The bits of a block holding `h`'s symbols: dynamic, or fixed when that is smaller. */
function blockBits(h: Histogram): number {
  const fixed = dataBits(h, fixedLitLenLengths(), FIXED_DIST_LENGTHS);
  return 3 + Math.min(blockCodes(h).totalBits, fixed);
}

/** A deterministic generator (zopfli's multiply-with-carry), for the statistics' shake-ups. */
function seededRandom(): () => number {
  let w = 1;
  let z = 2;
  return () => {
    z = (36969 * (z & 65535) + (z >>> 16)) >>> 0;
    w = (18000 * (w & 65535) + (w >>> 16)) >>> 0;
    return ((z << 16) + w) >>> 0;
  };
}

/**
 * The best parse of `data[from..to)` found in ITERATIONS passes, each
 * costed by the previous one's statistics (zopfli's LZ77OptimalRun).
 */
function bestParse(data: Uint8Array, matches: Matches, from: number, to: number): Lz77 {
  const random = seededRandom();
  let costs = costsFrom(fixedLitLenLengths(), FIXED_DIST_LENGTHS);
  let best: Lz77 | undefined;
  let bestBits = Infinity;
  let bestStats: Histogram | undefined;
  let lastBits = Infinity;
  let previous: Histogram | undefined;
  let shaken = false;
  for (let pass = 0; pass < ITERATIONS; pass++) {
    const lz = optimalParse(data, matches, from, to, costs);
    const stats = histogram(lz);
    const bits = blockBits(stats);
    if (bits < bestBits) {
      best = lz;
      bestBits = bits;
      bestStats = stats;
    }
    let next = stats;
    if (shaken && previous) {
      // Converges slower but further once the shake-ups have begun (zopfli).
      next = {
        litLen: stats.litLen.map((c, s) => c + previous!.litLen[s]! / 2),
        dist: stats.dist.map((c, s) => c + previous!.dist[s]! / 2),
      };
      next.litLen[END_OF_BLOCK] = 1;
    }
    if (pass > 5 && bits === lastBits) {
      // Stuck: start again from the best statistics, shaken.
      next = { litLen: bestStats!.litLen.slice(), dist: bestStats!.dist.slice() };
      for (const counts of [next.litLen, next.dist]) {
        for (let s = 0; s < counts.length; s++)
          if ((random() >>> 4) % 3 === 0) counts[s] = counts[random() % counts.length]!;
      }
      next.litLen[END_OF_BLOCK] = 1;
      shaken = true;
    }
    previous = next;
    lastBits = bits;
    costs = costsFrom(entropyBits(next.litLen), entropyBits(next.dist));
  }
  return best!;
}

/**
 * Where to split an LZ77 stream into blocks: the point that most lowers the
 * two halves' size, then the same in each half, while it pays (zopfli's
 * ZopfliBlockSplitLZ77, with an even grid of candidates).
 */
function splitPoints(lz: Lz77): number[] {
  const points: number[] = [];
  const ranges: [number, number][] = [[0, lz.size]];
  while (ranges.length > 0 && points.length + 1 < MAX_BLOCKS) {
    const [from, to] = ranges.shift()!;
    if (to - from < 20) continue;
    const whole = blockBits(histogram(lz, from, to));
    const left = histogram(lz, from, from);
    const right = histogram(lz, from, to);
    const step = Math.max(1, Math.floor((to - from) / SPLIT_CANDIDATES));
    let bestPoint = -1;
    let bestBits = whole;
    for (let at = from; at + step < to;) {
      for (let k = at; k < at + step; k++) {
        addSymbol(left.litLen, left.dist, lz, k, 1);
        addSymbol(right.litLen, right.dist, lz, k, -1);
      }
      at += step;
      const bits = blockBits(left) + blockBits(right);
      if (bits < bestBits) {
        bestBits = bits;
        bestPoint = at;
      }
    }
    if (bestPoint < 0) continue;
    points.push(bestPoint);
    ranges.push([from, bestPoint], [bestPoint, to]);
  }
  return points.sort((a, b) => a - b);
}

/** Writes bits least significant first, as deflate does. */
class BitWriter {
  private bytes = new Uint8Array(1024);
  private length = 0;
  private bit = 0;

  write(value: number, bits: number): void {
    for (let b = 0; b < bits; b++) {
      if (this.bit === 0) {
        if (this.length === this.bytes.length) {
          const bigger = new Uint8Array(this.bytes.length * 2);
          bigger.set(this.bytes);
          this.bytes = bigger;
        }
        this.bytes[this.length++] = 0;
      }
      this.bytes[this.length - 1]! |= ((value >>> b) & 1) << this.bit;
      this.bit = (this.bit + 1) & 7;
    }
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function writeBlock(out: BitWriter, lz: Lz77, from: number, to: number, final: boolean): void {
  const h = histogram(lz, from, to);
  const codes = blockCodes(h);
  const useFixed = dataBits(h, fixedLitLenLengths(), FIXED_DIST_LENGTHS) < codes.totalBits;
  out.write(final ? 1 : 0, 1);
  let litLenLengths: Uint8Array;
  let distLengths: Uint8Array;
  if (useFixed) {
    out.write(1, 2);
    litLenLengths = fixedLitLenLengths();
    distLengths = FIXED_DIST_LENGTHS;
  } else {
    out.write(2, 2);
    out.write(codes.litLenCount - 257, 5);
    out.write(codes.distCount - 1, 5);
    out.write(codes.codeLengthCount - 4, 4);
    for (let k = 0; k < codes.codeLengthCount; k++) out.write(codes.codeLengthLengths[CODE_LENGTH_ORDER[k]!]!, 3);
    const codeLengthCodes = canonicalCodes(codes.codeLengthLengths);
    for (const step of codes.steps) {
      out.write(codeLengthCodes[step.symbol]!, codes.codeLengthLengths[step.symbol]!);
      const extra = RUN_EXTRA_BITS[step.symbol];
      if (extra) out.write(step.extra, extra);
    }
    litLenLengths = codes.litLenLengths;
    distLengths = codes.distLengths;
  }
  const litLenCodes = canonicalCodes(litLenLengths);
  const distCodes = canonicalCodes(distLengths);
  for (let k = from; k < to; k++) {
    const length = lz.length[k]!;
    const distance = lz.distance[k]!;
    if (distance === 0) {
      out.write(litLenCodes[length]!, litLenLengths[length]!);
      continue;
    }
    const lengthCode = LENGTH_CODE[length]!;
    out.write(litLenCodes[257 + lengthCode]!, litLenLengths[257 + lengthCode]!);
    out.write(length - LENGTH_BASE[lengthCode]!, LENGTH_EXTRA[lengthCode]!);
    const distCode = DIST_CODE[distance]!;
    out.write(distCodes[distCode]!, distLengths[distCode]!);
    out.write(distance - DIST_BASE[distCode]!, DIST_EXTRA[distCode]!);
  }
  out.write(litLenCodes[END_OF_BLOCK]!, litLenLengths[END_OF_BLOCK]!);
}

/** Concatenates LZ77 streams of consecutive ranges. */
function concat(parts: Lz77[]): Lz77 {
  const size = parts.reduce((n, p) => n + p.size, 0);
  const lz: Lz77 = {
    length: new Uint16Array(size),
    distance: new Uint16Array(size),
    position: new Int32Array(size + 1),
    size,
  };
  let at = 0;
  for (const part of parts) {
    lz.length.set(part.length.subarray(0, part.size), at);
    lz.distance.set(part.distance.subarray(0, part.size), at);
    lz.position.set(part.position.subarray(0, part.size), at);
    at += part.size;
  }
  lz.position[size] = parts.length > 0 ? parts[parts.length - 1]!.position[parts[parts.length - 1]!.size]! : 0;
  return lz;
}

/** The raw deflate stream (RFC 1951) of `data`. */
export function optimalDeflate(data: Uint8Array): Uint8Array {
  const matches = findMatches(data);
  const whole = bestParse(data, matches, 0, data.length);
  // Blocks where the whole parse says they pay, each parsed again with costs of its own.
  const bounds = [0, ...splitPoints(whole).map((k) => whole.position[k]!), data.length];
  const blocks: Lz77[] = [];
  for (let b = 0; b + 1 < bounds.length; b++) blocks.push(bestParse(data, matches, bounds[b]!, bounds[b + 1]!));
  const split = concat(blocks);
  const splitSymbols = blocks.map((block) => block.size);
  const candidates: [Lz77, number[]][] = [
    [whole, [whole.size]],
    [split, splitSymbols],
  ];
  let best: Uint8Array | undefined;
  for (const [lz, sizes] of candidates) {
    const out = new BitWriter();
    let at = 0;
    sizes.forEach((size, b) => {
      writeBlock(out, lz, at, at + size, b === sizes.length - 1);
      at += size;
    });
    const bytes = out.finish();
    if (!best || bytes.length < best.length) best = bytes;
  }
  return best!;
}

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 of `data`, as gzip's trailer has it. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * `data` gzipped (RFC 1952) with an optimal parse: no name, no time (the
 * same input gives the same bytes), OS "Unix" as Node's zlib writes it.
 * @throws Error when the result does not inflate to `data` (a bug here,
 *   never a page served wrong).
 */
export function optimalGzip(data: Uint8Array): Buffer {
  const deflated = optimalDeflate(data);
  const header = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3];
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length >>> 0, 4);
  const gzip = Buffer.concat([Buffer.from(header), deflated, trailer]);
  if (!gunzipSync(gzip).equals(data)) throw new Error('optimalGzip: the result does not inflate to its input');
  return gzip;
}
