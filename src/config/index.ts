// The config package: files -> Desired, snapshots -> State, State -> config document.
export { ConfigError, formatProblem, type Problem } from './errors.js';
export { loadConfig, loadSnapshot } from './load.js';
export { checkReferences } from './semantic.js';
export { toDocument, toJson, toYaml, writeJson, writeYaml, type DocumentOptions } from './serialize.js';
