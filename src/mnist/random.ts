/**
 * A small seeded generator (xoshiro128**, seeded by splitmix32) for weight initialisation,
 * shuffling and dropout masks: runs are reproducible from --seed on every backend, and its state
 * is four numbers that a checkpoint stores, so a resumed run draws what the uninterrupted run would.
 */
export class Rng {
  private s: Uint32Array;

  constructor(seedOrState: number | readonly number[]) {
    if (typeof seedOrState === 'number') {
      this.s = new Uint32Array(4);
      let x = seedOrState >>> 0;
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        this.s[i] = (z ^ (z >>> 16)) >>> 0;
      }
    } else {
      if (seedOrState.length !== 4) throw new Error(`Rng: state must be 4 numbers, got ${seedOrState.length}`);
      this.s = Uint32Array.from(seedOrState);
    }
  }

  /** The state, to restore with new Rng(state). */
  state(): number[] {
    return Array.from(this.s);
  }

  /** A uniform integer in [0, 2^32). */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
