import type { Command } from 'commander';
import type { WithContext } from '../context.js';
import type { ServeHookOptions } from './serve-hook.js';

export function registerServeHook(program: Command, withContext: WithContext): void {
  program
    .command('serve-hook')
    .description("receive agents' replies from the Omnidesk custom channel webhook and publish them in the stores")
    .option('--host <host>', 'address to listen on (default from config, 127.0.0.1)')
    .option('--port <port>', 'port to listen on (default from config, 8787)')
    .option('--metrics-port <port>', 'serve Prometheus /metrics on this port (its own listener, not the webhook port)')
    .option('--metrics-host <host>', 'address of the /metrics listener (default 127.0.0.1: keep it off the proxy)')
    .addHelpText('after', '\nRun it behind a reverse proxy (nginx, Caddy); see the README for recipes.')
    .action(
      withContext(async (ctx, opts: ServeHookOptions) => {
        const { serveHookCommand } = await import('./serve-hook.js');
        return serveHookCommand(ctx, opts);
      }),
    );
}
