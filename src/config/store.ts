/**
 * Reads and writes the config file through `conf`: atomic writes, mode 0600, and the
 * per-user location (`~/.config/asodesk-omni/config.json` on Linux) unless a path is given.
 */
import Conf from 'conf';
import { chmodSync, existsSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import envPaths from 'env-paths';

export function defaultConfigPath(): string {
  return join(envPaths('asodesk-omni', { suffix: '' }).config, 'config.json');
}

function open(path: string): Conf<Record<string, unknown>> {
  const ext = extname(path);
  return new Conf<Record<string, unknown>>({
    cwd: dirname(path),
    configName: basename(path, ext),
    fileExtension: ext.replace(/^\./, '') || 'json',
    configFileMode: 0o600,
    // Keys such as `stores.appStore` are paths of ours, not dot-notation of conf's.
    accessPropertiesByDotNotation: false,
    projectSuffix: '',
  });
}

/** Replace the whole file with `data`, mode 0600. */
export function writeConfigFile(path: string, data: Record<string, unknown>): void {
  const store = open(path);
  store.store = data;
  // conf applies the mode on creation; an older file made by hand is tightened too.
  if (existsSync(path)) chmodSync(path, 0o600);
}
