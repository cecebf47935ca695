/**
 * Reads and writes the config file through `conf`: atomic writes, mode 0600, and the
 * per-user location (`~/.config/asodesk-omni/config.json` on Linux) unless a path is given.
 */
import Conf from 'conf';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { basename, dirname, extname } from 'node:path';
import { storageError, toStorageError } from '../state/faults.js';

export { defaultConfigPath } from './paths.js';

function open(path: string): Conf<Record<string, unknown>> {
  const ext = extname(path);
  return new Conf<Record<string, unknown>>({
    cwd: dirname(path),
    configName: basename(path, ext),
    fileExtension: ext.replace(/^\./, '') || 'json',
    configFileMode: 0o600,
    // Keys such as `stores.<store>` are paths of ours, not dot-notation of conf's.
    accessPropertiesByDotNotation: false,
    projectSuffix: '',
  });
}

/**
 * Replace the whole file with `data`, mode 0600 from its first byte (conf writes a temp file
 * opened with that mode, then renames it). A folder or disk that refuses says which path.
 */
export function writeConfigFile(path: string, data: Record<string, unknown>): void {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (err) {
    // A recursive mkdir on a read-only mount reports ENOENT: any failure here means "cannot create".
    throw storageError('unwritable', 'config', path, (err as NodeJS.ErrnoException).code ?? 'mkdir', '', err);
  }
  try {
    const store = open(path);
    store.store = data;
    // An older file made by hand is tightened too.
    if (existsSync(path)) chmodSync(path, 0o600);
  } catch (err) {
    throw toStorageError(err, path, 'config') ?? err;
  }
}
