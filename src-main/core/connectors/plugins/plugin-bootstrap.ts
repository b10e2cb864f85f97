import { PLUGIN_CALLABLE_METHODS, PLUGIN_CONTROL_METHOD } from './plugin-rpc';

/**
 * The program that runs inside a plugin's worker thread (`new Worker(source, { eval: true })`)
 * or Electron utility process (written once to a `.cjs` file and forked). Like the cache's
 * integrity check it is source text, so it needs no file of its own in either host's bundle.
 *
 * It waits for `start`, imports the plugin's `main` (ESM `export` or CJS `module.exports`),
 * calls `createConnector(config, { log, pluginDir, stateDir })` and answers `ready` or
 * `start-failed`; then runs each `call` and posts its `result`. Everything goes out as one JSON
 * text per message (see `plugin-rpc.ts`); an answer that is not JSON (a BigInt, a cycle) becomes
 * an error result instead of a broken message. It checks nothing the host relies on: the host
 * validates every message it gets, since the plugin's code shares this thread and could post
 * anything.
 */
export const PLUGIN_BOOTSTRAP_SOURCE = `'use strict';
const CALLABLE = new Set(${JSON.stringify(PLUGIN_CALLABLE_METHODS)});
const CONTROL = ${PLUGIN_CONTROL_METHOD.toString()};
const inUtilityProcess = typeof process.parentPort === 'object' && process.parentPort !== null;
const port = inUtilityProcess ? process.parentPort : require('node:worker_threads').parentPort;
const unwrap = inUtilityProcess ? (event) => event.data : (message) => message;
const post = (text) => port.postMessage(text);
function errorOut(error) {
  if (typeof error === 'object' && error !== null) {
    const out = { message: String(error.message !== undefined ? error.message : error).slice(0, 2000) };
    if (typeof error.kind === 'string') out.kind = error.kind.slice(0, 40);
    if (typeof error.permanent === 'boolean') out.permanent = error.permanent;
    if (typeof error.rejection === 'string') out.rejection = error.rejection.slice(0, 40);
    if (typeof error.hint === 'string') out.hint = error.hint.slice(0, 40);
    return out;
  }
  return { message: String(error).slice(0, 2000) };
}
function send(message) {
  let text;
  try {
    text = JSON.stringify(message);
  } catch (error) {
    if (message.type === 'result') text = JSON.stringify({ type: 'result', id: message.id, ok: false, error: { message: 'the answer is not JSON: ' + String(error && error.message).slice(0, 200) } });
    else if (message.type === 'log') text = JSON.stringify({ type: 'log', level: message.level, event: message.event });
    else return;
  }
  post(text);
}
const log = {};
for (const level of ['debug', 'info', 'warn', 'error']) {
  log[level] = (event, context) => {
    const entry = { type: 'log', level, event: String(event).slice(0, 80) };
    if (typeof context === 'object' && context !== null && !Array.isArray(context)) entry.context = context;
    send(entry);
  };
}
let connector = null;
let starting = false;
function methodsOf(object) {
  const names = new Set();
  for (let o = object; o && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if ((CALLABLE.has(name) || CONTROL.test(name)) && typeof object[name] === 'function') names.add(name);
    }
  }
  return [...names];
}
async function start(message) {
  if (starting) return;
  starting = true;
  let mod;
  try {
    mod = await import(message.main);
  } catch (error) {
    send({ type: 'start-failed', stage: 'load', error: errorOut(error) });
    return;
  }
  const exported = mod && typeof mod.createConnector === 'function' ? mod : mod && mod.default;
  if (!exported || typeof exported.createConnector !== 'function') {
    send({ type: 'start-failed', stage: 'load', error: { message: 'the main file exports no createConnector function' } });
    return;
  }
  let made;
  try {
    made = await exported.createConnector(message.config, { log, pluginDir: message.pluginDir, stateDir: message.stateDir });
  } catch (error) {
    send({ type: 'start-failed', stage: 'config', error: errorOut(error) });
    return;
  }
  if (typeof made !== 'object' || made === null) {
    send({ type: 'start-failed', stage: 'load', error: { message: 'createConnector returned no object' } });
    return;
  }
  connector = made;
  send({ type: 'ready', methods: methodsOf(made) });
}
async function call(message) {
  const id = message.id;
  const method = String(message.method);
  if (connector === null || !(CALLABLE.has(method) || CONTROL.test(method)) || typeof connector[method] !== 'function') {
    send({ type: 'result', id, ok: false, error: { message: 'the plugin has no method ' + method.slice(0, 80) } });
    return;
  }
  try {
    const value = await connector[method](...(Array.isArray(message.args) ? message.args : []));
    send({ type: 'result', id, ok: true, value: value === undefined ? null : value });
  } catch (error) {
    send({ type: 'result', id, ok: false, error: errorOut(error) });
  }
}
port.on('message', (raw) => {
  let message;
  try {
    message = JSON.parse(unwrap(raw));
  } catch {
    return;
  }
  if (message && message.type === 'start') void start(message);
  else if (message && message.type === 'call') void call(message);
});
`;
