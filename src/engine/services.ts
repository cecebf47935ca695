/**
 * The connectors built from the config, as the engine, the reply publisher and the commands
 * use them. `buildServices` (wiring.ts) makes the real ones; tests may assemble their own.
 */
import type { AppConfig } from '../config/schema.js';
import type { StoreId } from '../domain/review.js';
import type { Helpdesk } from '../connectors/helpdesk/types.js';
import type { StoreConnector } from '../connectors/stores/types.js';

export interface AppSource {
  connector: StoreConnector;
  /** True when the app reads the public source because store credentials are not set. */
  credentialsMissing: boolean;
}

export interface Services {
  helpdesk: Helpdesk;
  /** Where an app's reviews come from (API with credentials, else public source). */
  sourceFor(app: AppConfig): AppSource;
  /** The console API connector able to publish answers, or undefined without credentials. */
  replyConnector(store: StoreId): StoreConnector | undefined;
}
