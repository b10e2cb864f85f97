/**
 * Isolated third-party MIS plugins (docs/connector-sdk.md): the loader, the supervised worker
 * behind a typed RPC and the proxy connector the desk uses.
 */
export { loadMisPlugins, type LoadedMisPlugins, type LoadMisPluginsOptions, type PluginProblem } from './load-mis-plugins';
export { BUILT_IN_MIS_IDS, MIN_PLUGIN_API_VERSION, PluginManifestSchema, readPluginFolder, type PluginManifest } from './plugin-manifest';
export { DEFAULT_PLUGIN_CALL_TIMEOUTS, PluginMisConnector, type PluginCallTimeouts } from './plugin-mis-connector';
export { DEFAULT_PLUGIN_LIMITS, PLUGIN_RESTART_BACKOFF, PluginSupervisor, type PluginFaultReason, type PluginLimits, type PluginStateEvent } from './plugin-supervisor';
export { workerThreadTransport, type PluginTransport, type PluginTransportFactory } from './plugin-transport';
export { PLUGIN_BOOTSTRAP_SOURCE } from './plugin-bootstrap';
