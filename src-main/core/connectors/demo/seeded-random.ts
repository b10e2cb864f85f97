import { mulberry32 } from '../../demo/synthetic-patients';

/**
 * Seeded random streams for the demo MIS's evolution and fault injection: the synthetic
 * generator's PRNG, in separate instances so that faults drawn for a test never shift which
 * patients the clinic edits (two independent, reproducible streams).
 */
export type Random = () => number;

/** Floats in [0, 1), reproducible for a given seed. */
export function seededRandom(seed: number): Random {
  return mulberry32(seed);
}
