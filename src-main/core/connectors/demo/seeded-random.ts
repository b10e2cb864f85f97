/**
 * A seeded PRNG (mulberry32) for the demo MIS's evolution and fault injection. The synthetic
 * generator keeps its own copy private; this one is separate so that faults drawn for a test
 * never shift which patients the clinic edits (two independent, reproducible streams).
 */
export type Random = () => number;

/** Floats in [0, 1), reproducible for a given seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
