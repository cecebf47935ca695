/**
 * Builds the real connectors from the config: Omnidesk, and per app the store's console API
 * when credentials are set (else its public source).
 */
import type { ConfigLocation } from '../config/load.js';
import type { Config } from '../config/schema.js';
import type { ConnectorDeps } from '../connectors/deps.js';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Services } from './services.js';

export function buildServices(_config: Config, _location: ConfigLocation, _logger: Logger, _deps?: Partial<ConnectorDeps>): Services & { close(): Promise<void> } {
  throw new UserError('wiring not built yet');
}

export async function checkServices(_config: Config, _location: ConfigLocation, _logger: Logger): Promise<{ service: string; ok: boolean; message: string }[]> {
  return [];
}
