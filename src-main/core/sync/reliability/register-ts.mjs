// `node --import ./register-ts.mjs`: installs ts-resolve-hooks.mjs for the child process.
import { register } from 'node:module';

register('./ts-resolve-hooks.mjs', import.meta.url);
