/**
 * Exit codes are a contract with cron jobs and scripts: documented in `--help` and the README.
 */
export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  config: 3,
  needsInput: 4,
  partialFailure: 5,
  /** The state file belongs to another Omnidesk account or channel than the config. */
  stateMismatch: 6,
  /** The state database (or the config folder) cannot be used: no permission, disk full, damaged (EX_IOERR). */
  storage: 74,
  locked: 75,
  /** Node.js older than `engines.node`: checked by bin/asodesk-omni.js before anything loads (EX_CONFIG). */
  unsupportedNode: 78,
  /** Ctrl-C in `init`: what was entered up to the last finished step is saved. */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeHelp: ReadonlyArray<readonly [ExitCodeValue, string]> = [
  [ExitCode.ok, 'success'],
  [ExitCode.unexpected, 'unexpected error (a bug: please report it)'],
  [ExitCode.usage, 'wrong command-line usage'],
  [ExitCode.config, 'configuration missing or invalid (run `asodesk-omni config check`)'],
  [ExitCode.needsInput, 'input needed but running non-interactively'],
  [ExitCode.partialFailure, 'finished, but some apps, reviews or replies failed (see the summary)'],
  [ExitCode.stateMismatch, 'the state file belongs to another Omnidesk account or channel (nothing was sent)'],
  [
    ExitCode.storage,
    'the state file or config folder cannot be used (no permission, disk full, damaged); the message names the path and the fix',
  ],
  [ExitCode.locked, "another run holds the run lock, or another process the state file's write lock; try again later"],
  [ExitCode.unsupportedNode, 'this Node.js is too old (20.17 or newer is needed)'],
  [ExitCode.interrupted, 'stopped with Ctrl-C (init keeps what was entered; serve-hook stops cleanly first)'],
];

/** An error the user can act on; carries the exit code the CLI ends with. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue = ExitCode.unexpected,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export class ConfigError extends UserError {
  constructor(
    message: string,
    readonly problems: readonly ConfigProblem[] = [],
    hint?: string,
  ) {
    super(message, ExitCode.config, hint);
    this.name = 'ConfigError';
  }
}

export interface ConfigProblem {
  /** Dotted path of the field, e.g. `apps.0.filters.ratings`. */
  path: string;
  message: string;
}

export class NeedsInputError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.needsInput, hint);
    this.name = 'NeedsInputError';
  }
}

export class LockedError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.locked, 'Another sync is still running; cron will try again at the next tick.');
    this.name = 'LockedError';
  }
}

/** What went wrong with a file we keep: decides the wording and the exit code. */
export type StorageFault = 'unwritable' | 'full' | 'corrupt' | 'busy' | 'io' | 'newer-schema';

/**
 * The state database or the config file cannot be used. `path` is the file; the message says
 * what happened and the hint what to do. A lock held past the busy timeout is temporary (75,
 * like the run lock); everything else needs a person (74, EX_IOERR of sysexits).
 */
export class StorageError extends UserError {
  constructor(
    readonly fault: StorageFault,
    readonly path: string,
    message: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, fault === 'busy' ? ExitCode.locked : ExitCode.storage, hint);
    this.name = 'StorageError';
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

export class StateMismatchError extends UserError {
  constructor(message: string) {
    super(
      message,
      ExitCode.stateMismatch,
      'Nothing was sent. Point --db (or ASODESK_OMNI_DB) at the state file of this config, or start this config on a new state file: `asodesk-omni state rebuild --db <new file>` reads its cases back from Omnidesk.',
    );
    this.name = 'StateMismatchError';
  }
}

/** Kinds of failure of a remote service, so callers decide on retry and wording. */
export type RemoteErrorKind =
  | 'auth'
  | 'permission'
  | 'rate-limited'
  | 'quota'
  | 'transient'
  | 'bad-payload'
  | 'not-found'
  | 'rejected'
  | 'too-long';

/**
 * Every connector throws only this. `message` never contains a secret: it is built from
 * the service name, the status and the service's own error text, never from our headers.
 */
export class RemoteError extends Error {
  readonly kind: RemoteErrorKind;
  readonly service: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly hint: string | undefined;

  constructor(opts: {
    kind: RemoteErrorKind;
    service: string;
    message: string;
    status?: number;
    code?: string;
    retryAfterMs?: number;
    hint?: string;
    cause?: unknown;
  }) {
    super(opts.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'RemoteError';
    this.kind = opts.kind;
    this.service = opts.service;
    this.status = opts.status;
    this.code = opts.code;
    this.retryAfterMs = opts.retryAfterMs;
    this.hint = opts.hint;
  }

  /** Worth trying again later (next attempt or next sync). */
  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate-limited';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
