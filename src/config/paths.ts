/**
 * Where the config and the database live, and how a relative key path is read. Its own module
 * so the store settings (in the connectors) can use it without importing the config loader.
 */
import { dirname, join } from 'node:path';

export interface ConfigLocation {
  configPath: string;
  dbPath: string;
}

/** Relative key paths are taken from the config file's folder, so a config can be moved with its keys. */
export function resolveConfigRelative(location: ConfigLocation, path: string): string {
  return path.startsWith('/') ? path : join(dirname(location.configPath), path);
}
