/**
 * The command-line program: declares commands and options, builds the context, and is the
 * only place that turns errors into exit codes.
 */
import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { ConfigError, ExitCode, exitCodeHelp, UserError, type ExitCodeValue } from './errors.js';
import { redact } from './log.js';
import { stateFileError } from './state/faults.js';
import {
  loadDotEnv,
  makeContext,
  type CommandContext,
  type GlobalOptions,
  type WithContext,
} from './commands/context.js';

export type { WithContext };
import { registerConfig } from './commands/config/index.js';
import { registerSync } from './commands/sync/index.js';
import { registerServeHook } from './commands/serve-hook/index.js';
import { registerInit } from './commands/init/index.js';
import { registerStatus } from './commands/status/index.js';
import { registerDemo } from './commands/demo/index.js';
import { registerState } from './commands/state/index.js';
import { registerCompletion } from './commands/completion/index.js';
import { registerRules } from './commands/rules/index.js';
import { registerReport } from './commands/report/index.js';
import { registerImport } from './commands/import/index.js';

export type Action = (ctx: CommandContext, ...args: unknown[]) => Promise<ExitCodeValue>;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

const examples = `
Examples:
  $ asodesk-omni demo                       the whole loop on local emulators, nothing to set up
  $ asodesk-omni init                       connect Omnidesk, apps and store keys step by step
  $ asodesk-omni sync                       pull new reviews, create or update cases (cron: */5 * * * *)
  $ asodesk-omni import reviews.csv --app my-app   older reviews from a console export (CSV)
  $ asodesk-omni serve-hook --port 8787     publish agents' replies to the stores
  $ asodesk-omni status --json              per-app health for monitoring
  $ asodesk-omni report --since 30d --by agent   answers, times, outcomes, rating changes after answers
  $ asodesk-omni config check --online      validate settings and credentials
  $ asodesk-omni state rebuild              after a restore or a move: read cases back from Omnidesk
  $ asodesk-omni state migrate --to "$ASODESK_OMNI_STATE_URL"   move the SQLite state into PostgreSQL

Exit codes:
${exitCodeHelp.map(([code, text]) => `  ${String(code).padStart(3)}  ${text}`).join('\n')}

Environment:
  ASODESK_OMNI_CONFIG, ASODESK_OMNI_DB, ASODESK_OMNI_STATE_URL and the secrets listed in .env.example; a .env file
  in the working directory is read.`;

export function buildProgram(run: (action: () => Promise<ExitCodeValue>) => void): Command {
  const program = new Command('asodesk-omni')
    .description("Store reviews as Omnidesk cases; agents' replies published back to the stores.")
    .version(version(), '-V, --version')
    .addOption(
      new Option('-c, --config <path>', 'config file (default: per-user config folder)').env('ASODESK_OMNI_CONFIG'),
    )
    .addOption(new Option('--db <path>', 'SQLite state file (default: beside the config)').env('ASODESK_OMNI_DB'))
    .addOption(
      new Option('--state <url>', 'PostgreSQL state instead of the SQLite file (postgres://…)').env(
        'ASODESK_OMNI_STATE_URL',
      ),
    )
    .option('--json', 'machine-readable output on stdout, no colour')
    .option('-v, --verbose', 'debug logging on stderr')
    .option('-q, --quiet', 'only warnings and errors on stderr')
    .addHelpText('after', examples)
    // A usage error gets one line and a pointer, not the whole help.
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const withContext =
    <A extends unknown[]>(fn: (ctx: CommandContext, ...args: A) => Promise<ExitCodeValue>) =>
    (...args: A): void => {
      run(async () => {
        const ctx = makeContext(program.opts<GlobalOptions>());
        currentDbPath = ctx.location.dbPath;
        try {
          return await fn(ctx, ...args);
        } catch (err) {
          // SQLite's own errors (disk full, locked, damaged) say nothing of the file: name it.
          throw stateFileError(err, ctx.location.dbPath) ?? err;
        }
      });
    };

  registerInit(program, withContext);
  registerSync(program, withContext);
  registerImport(program, withContext);
  registerServeHook(program, withContext);
  registerStatus(program, withContext);
  registerDemo(program, withContext);
  registerConfig(program, withContext);
  registerState(program, withContext);
  registerRules(program, withContext);
  registerReport(program, withContext);
  registerCompletion(program, withContext);
  return program;
}

/** The state file of the running command, for an error that reaches the last-resort handler. */
let currentDbPath: string | undefined;

function report(err: unknown, verbose: boolean): ExitCodeValue {
  if (err instanceof UserError) {
    process.stderr.write(redact(`error: ${err.message}\n`));
    if (err.hint) process.stderr.write(redact(`hint: ${err.hint}\n`));
    if (verbose && err.stack) process.stderr.write(redact(err.stack) + '\n');
    return err.exitCode;
  }
  process.stderr.write(
    redact(
      `unexpected error: ${err instanceof Error ? (verbose ? (err.stack ?? err.message) : err.message) : String(err)}\n`,
    ),
  );
  process.stderr.write('This is a bug: please report it with the output of the same command run with --verbose.\n');
  return ExitCode.unexpected;
}

/**
 * Last resort for an error no code awaited (an unhandled rejection or uncaught exception):
 * one redacted line, then exit 1. The run lock is keyed by pid, so the next run takes it over.
 */
export function installLastResort(exit: (code: number) => void): void {
  const fatal = (err: unknown): void => {
    const storage = currentDbPath === undefined ? undefined : stateFileError(err, currentDbPath);
    if (storage) {
      exit(report(storage, false));
      return;
    }
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(redact(`unexpected error (not handled by the code that caused it): ${text}\n`));
    process.stderr.write('This is a bug: please report it with the output of the same command run with --verbose.\n');
    exit(ExitCode.unexpected);
  };
  process.on('unhandledRejection', fatal);
  process.on('uncaughtException', fatal);
}

/** Runs the program; resolves with the exit code. Only bin/ exits the process. */
export async function main(argv: readonly string[]): Promise<ExitCodeValue> {
  loadDotEnv();
  let pending: Promise<ExitCodeValue> | undefined;
  const program = buildProgram((action) => {
    pending = action();
  });
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help')
        return ExitCode.ok;
      return ExitCode.usage;
    }
    return report(err, verbose);
  }
  if (!pending) return ExitCode.ok;
  try {
    return await pending;
  } catch (err) {
    return report(err, verbose);
  }
}

export { ConfigError };
