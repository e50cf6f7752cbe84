/**
 * Stateless seeded hashing: every generated row field is a pure function of (seed, company, field,
 * index), so rows can be built on demand in any order and a benchmark company with a million
 * records costs no memory until a page is read.
 */
export function hash(a: number, b: number, c = 0): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ b, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ c, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x165667b1);
  return (h ^ (h >>> 16)) >>> 0;
}

/** One independent stream per (salt, field): `pick(index)` is uniform in [0, 2^32). */
export class Stream {
  constructor(
    private readonly salt: number,
    private readonly field: number,
  ) {}
  u32(index: number): number {
    return hash(this.salt, this.field, index);
  }
  /** Integer in [0, n). */
  int(index: number, n: number): number {
    return n <= 0 ? 0 : Math.floor((this.u32(index) / 4294967296) * n);
  }
  /** Uniform in [0, 1). */
  unit(index: number): number {
    return this.u32(index) / 4294967296;
  }
}

/** A per-company generator of independent streams. */
export class Streams {
  private next = 1;
  constructor(readonly salt: number) {}
  stream(): Stream {
    return new Stream(this.salt, this.next++ * 0x01000193);
  }
}
