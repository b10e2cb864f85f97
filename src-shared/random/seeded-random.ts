/**
 * The desk's one seeded PRNG (mulberry32: 32-bit state, floats in [0, 1)): the synthetic clinic,
 * the demo MIS's evolution and fault injection, the bench's query sampling and every randomised
 * test draw from it, so a seed replays a run exactly. Not for secrets.
 */
export type Random = () => number;

/** Floats in [0, 1), the same stream for the same seed. */
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
