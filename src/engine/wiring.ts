import type { Config } from '../config/schema.js';
import type { ConfigLocation } from '../config/load.js';
import type { Logger } from '../log.js';

export async function checkServices(_config: Config, _location: ConfigLocation, _logger: Logger): Promise<{ service: string; ok: boolean; message: string }[]> {
  return [];
}
