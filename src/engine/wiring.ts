/**
 * Builds the real connectors from the config: Omnidesk, and per store the console API when
 * credentials are set, else the store's public source (reviews flow, replies cannot).
 */
import type { ConfigLocation } from '../config/load.js';
import type { AppConfig, Config } from '../config/schema.js';
import type { ConnectorDeps } from '../connectors/deps.js';
import { createOmnidesk } from '../connectors/helpdesk/omnidesk/index.js';
import type { Helpdesk } from '../connectors/helpdesk/types.js';
import { allStores, storeDescriptor } from '../connectors/stores/registry.js';
import type { StoreConnector } from '../connectors/stores/types.js';
import type { StoreId } from '../domain/review.js';
import { ConfigError, errorMessage, RemoteError } from '../errors.js';
import type { Logger } from '../log.js';
import type { LabelCache } from '../state/labels.js';
import type { AppSource, Services } from './services.js';

export interface BuildOptions extends Partial<ConnectorDeps> {
  labelCache?: LabelCache | undefined;
}

function lazy<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

export function buildServices(
  config: Config,
  location: ConfigLocation,
  logger: Logger,
  opts: BuildOptions = {},
): Services & { close(): Promise<void> } {
  const deps: ConnectorDeps = { ...opts, logger };
  const omnidesk = config.omnidesk;
  const helpdesk = lazy((): Helpdesk => {
    if (!omnidesk)
      throw new ConfigError(
        'Omnidesk is not set up.',
        [{ path: 'omnidesk', message: 'missing' }],
        'Run `asodesk-omni init` (step "Omnidesk account").',
      );
    return createOmnidesk(omnidesk, deps, { labelCache: opts.labelCache });
  });

  // Credentials are resolved once per store; a broken key file is a config error for that store.
  const api = Object.fromEntries(
    allStores().map((d) => [d.id, lazy(() => d.api.fromConfig(config, location, deps))]),
  ) as Record<StoreId, () => StoreConnector | undefined>;
  const publicSource = Object.fromEntries(
    allStores().map((d) => [d.id, lazy(() => d.public.fromConfig(config, deps))]),
  ) as Record<StoreId, () => StoreConnector>;

  return {
    get helpdesk() {
      return helpdesk();
    },
    sourceFor(app: AppConfig): AppSource {
      if (app.source === 'public')
        return { connector: publicSource[app.store](), credentialsMissing: api[app.store]() === undefined };
      const connector = api[app.store]();
      if (connector) return { connector, credentialsMissing: false };
      if (app.source === 'api') {
        throw new ConfigError(
          `App "${app.id}" is set to read the ${storeDescriptor(app.store).name} API, but no credentials are set for it.`,
          [{ path: 'apps', message: `source "api" needs credentials` }],
          'Add them with `asodesk-omni init` (step "Store credentials"), or set the app\'s source to "auto".',
        );
      }
      return { connector: publicSource[app.store](), credentialsMissing: true };
    },
    replyConnector(store: StoreId): StoreConnector | undefined {
      return api[store]();
    },
    async close() {
      // Connections are pooled by undici's global agent; nothing of ours to close yet.
    },
  };
}

export interface ServiceCheck {
  service: string;
  ok: boolean;
  message: string;
  /** Why it failed: refused (a setting is wrong) or unreachable (network, 5xx, rate limit: try again). */
  kind?: 'refused' | 'unreachable' | undefined;
}

/** `config check --online`: each configured credential against its live API. */
export async function checkServices(
  config: Config,
  location: ConfigLocation,
  logger: Logger,
  onStart?: (service: string) => void,
): Promise<ServiceCheck[]> {
  const services = buildServices(config, location, logger, { timeoutMs: 15_000 });
  const checks: ServiceCheck[] = [];
  const attempt = async (service: string, fn: () => Promise<string>): Promise<void> => {
    onStart?.(service);
    try {
      checks.push({ service, ok: true, message: await fn() });
    } catch (err) {
      const kind = err instanceof RemoteError && err.retryable ? 'unreachable' : 'refused';
      checks.push({
        service,
        ok: false,
        kind,
        message: errorMessage(err) + (err instanceof ConfigError && err.hint ? ` (${err.hint})` : ''),
      });
    }
  };
  if (config.omnidesk) {
    await attempt('Omnidesk', async () => {
      await services.helpdesk.ping();
      return `signed in as ${config.omnidesk!.staffEmail}`;
    });
  }
  const routed = config.routing.filter((r) => r.then.groupId !== undefined || r.then.staffId !== undefined);
  if (config.omnidesk && routed.length > 0) {
    await attempt('Omnidesk routing', () => checkRoutingIds(config, services.helpdesk));
  }
  for (const store of allStores()) {
    await attempt(store.consoleName, async () => {
      const connector = services.replyConnector(store.id);
      if (!connector) return 'no credentials (reviews come from the public source; replies need credentials)';
      await connector.ping();
      return 'credentials accepted';
    });
  }
  return checks;
}

/** Every group and staff id of the routing rules exists (and is active) in the Omnidesk account. */
async function checkRoutingIds(config: Config, helpdesk: Helpdesk): Promise<string> {
  const groups = new Map((await helpdesk.listGroups?.())?.map((g) => [g.id, g]));
  const staff = new Map((await helpdesk.listStaff?.())?.map((x) => [x.id, x]));
  const problems: string[] = [];
  config.routing.forEach((rule, i) => {
    const { groupId, staffId } = rule.then;
    if (groupId !== undefined && !groups.get(groupId)?.active)
      problems.push(
        `routing.${i}.then.groupId: no active group ${groupId} (groups: ${[...groups.values()].map((g) => `${g.id} ${g.title}`).join(', ') || 'none'})`,
      );
    if (staffId !== undefined && !staff.get(staffId)?.active)
      problems.push(`routing.${i}.then.staffId: no active staff member ${staffId}`);
  });
  if (problems.length > 0)
    throw new ConfigError(problems.join('; '), [], 'Fix the ids in the config (Omnidesk → Settings → Groups / Staff).');
  return `${config.routing.length} rule(s): every group and staff id exists`;
}
