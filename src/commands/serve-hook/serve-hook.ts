/**
 * `serve-hook`: starts the webhook listener and its publishing loop (src/server/serve-hook.ts).
 * On SIGTERM or SIGINT it stops accepting, lets in-flight requests and the running flush end,
 * closes the db.
 */
import { loadConfig } from '../../config/load.js';
import type { Services } from '../../engine/services.js';
import type { MetricsServer } from '../../metrics/server.js';
import { ConfigError, ExitCode, UserError, type ExitCodeValue } from '../../errors.js';
import { startServeHook } from '../../server/serve-hook.js';
import { bindState, ownerOf } from '../../state/identity.js';
import { sqliteUsageLedger } from '../../state/usage.js';
import type { CommandContext } from '../context.js';
import { stateTarget } from '../../config/state-url.js';
import { openState, stateName } from '../../state/open.js';

export interface ServeHookOptions {
  host?: string;
  port?: string;
  metricsPort?: string;
  metricsHost?: string;
}

export async function serveHookCommand(ctx: CommandContext, opts: ServeHookOptions): Promise<ExitCodeValue> {
  const config = loadConfig(ctx.location, ctx.env);
  if (!config.webhook.secret) {
    throw new ConfigError(
      'No webhook secret is configured, so serve-hook cannot tell Omnidesk from anyone else.',
      [{ path: 'webhook.secret', message: 'not set' }],
      'Run `asodesk-omni init` (step "Webhook") or set ASODESK_OMNI_WEBHOOK_SECRET.',
    );
  }
  const host = opts.host ?? config.webhook.host;
  const port = opts.port === undefined ? config.webhook.port : parsePort(opts.port);
  const metricsPort = opts.metricsPort === undefined ? undefined : parsePort(opts.metricsPort, '--metrics-port');
  const metricsHost = opts.metricsHost ?? '127.0.0.1';

  const target = stateTarget(ctx.location, config.state?.url);
  const db = await openState(target);
  let services: (Services & { close(): Promise<void> }) | undefined;
  let metricsServer: MetricsServer | undefined;
  try {
    await bindState(db, ownerOf(config.omnidesk), { dbPath: stateName(target) });
    // Loaded here, not at the top: the connectors are only needed once the config is valid.
    const { buildServices } = await import('../../engine/wiring.js');
    services = buildServices(config, ctx.location, ctx.logger, { usage: sqliteUsageLedger(db) });
    if (metricsPort !== undefined) {
      // prom-client is loaded only when metrics are asked for.
      const { startMetricsServer } = await import('../../metrics/server.js');
      metricsServer = await startMetricsServer({ db, host: metricsHost, port: metricsPort }).catch((err: unknown) => {
        throw listenError(err, metricsHost, metricsPort, '--metrics-port');
      });
    }
    const metrics = metricsServer?.metrics;
    const running = await startServeHook({ db, config, services, logger: ctx.logger, host, port, metrics }).catch(
      (err: unknown) => {
        throw listenError(err, host, port);
      },
    );
    // Listen for the stop signal before saying we listen: whoever reads that line may signal at once.
    const stopSignal = nextSignal();
    ctx.out(`Listening on ${running.server.url}/omnidesk/webhook/*** (*** = webhook.secret)`);
    if (metricsServer) ctx.out(`Prometheus metrics on ${metricsServer.url}`);
    if (config.webhook.publicUrl)
      ctx.out(
        `Omnidesk custom channel webhook URL: ${config.webhook.publicUrl.replace(/\/+$/, '')}/omnidesk/webhook/<secret>`,
      );
    const signal = await stopSignal;
    ctx.logger.info('shutting down', { signal });
    await running.stop();
    // SIGTERM is a service manager's ordinary stop (0); Ctrl-C is an interruption (130, as documented).
    return signal === 'SIGINT' ? ExitCode.interrupted : ExitCode.ok;
  } finally {
    await metricsServer?.close();
    await services?.close();
    await db.close();
  }
}

function listenError(err: unknown, host: string, port: number, flag = '--port'): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  // Exit 3 (configuration): the fix is another webhook.port / --port, or stopping the other listener.
  if (code === 'EADDRINUSE')
    return new UserError(
      `Cannot listen on ${host}:${port}: port ${port} is already in use (another serve-hook?).`,
      ExitCode.config,
      `Stop the process that listens on port ${port} (e.g. \`ss -ltnp 'sport = :${port}'\`) or pick another port with ${flag === '--port' ? '--port or webhook.port' : flag}.`,
    );
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL')
    return new UserError(
      `Cannot listen on ${host}:${port} (${code}).`,
      ExitCode.config,
      'Use a port above 1024 and an address of this machine (--host, webhook.host).',
    );
  return err;
}

function parsePort(value: string, flag = '--port'): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UserError(`${flag} must be a number from 0 to 65535, not "${value}"`, ExitCode.usage);
  return n;
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}
