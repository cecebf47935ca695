/**
 * Reading a key file named by a setting, for the stores' credential settings (each connector's
 * settings.ts resolves its own). Every secret read is registered for redaction.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { registerSecret } from '../log.js';
import { resolveConfigRelative, type ConfigLocation } from './paths.js';

export function readKeyFile(location: ConfigLocation, setting: string, path: string): string {
  const full = resolveConfigRelative(location, path);
  try {
    const text = readFileSync(full, 'utf8');
    registerSecret(text);
    return text;
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new ConfigError(
      `${setting}: the file ${full} ${reason}.`,
      [{ path: setting, message: `file ${full} ${reason}` }],
      'Point the setting at the key file downloaded from the store console, or run `asodesk-omni init`.',
    );
  }
}
