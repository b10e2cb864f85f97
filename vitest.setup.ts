import fc from 'fast-check';

// A failing property test prints its seed (and path); `FC_SEED=<seed> npm test -- <file>` replays it.
if (process.env.FC_SEED !== undefined) fc.configureGlobal({ seed: Number(process.env.FC_SEED) });
