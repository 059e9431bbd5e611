/**
 * The Import Servers API as it was before it was split in two: parseConfig.ts (a config file's text →
 * candidate servers) and configLocations.ts (where the files are, per editor and per OS). Kept so
 * callers written against this path keep compiling while they move to the two modules; new code
 * imports those directly.
 */
export { IMPORT_SOURCE_LABELS, MAX_PROFILES, defaultConfigPaths, discoverConfigPaths, importSourceLabel } from './configLocations';
export type { ConfigPath, ImportSource } from './configLocations';
export { MAX_CONFIG_BYTES, MAX_NAME_LENGTH, MAX_SERVERS, isSecretName, isSecretValue, parseMcpConfig } from './parseConfig';
export type { ImportedServer, ParseMcpConfigOptions, ParseMcpConfigResult } from './parseConfig';
