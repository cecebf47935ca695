/**
 * Logs go to stderr (results go to stdout). On a terminal: short coloured lines; otherwise
 * (cron, pipes): one JSON object per line, easy to grep and ship. Every line passes through
 * `redact`, so a secret registered once can never be printed, whatever the caller passes.
 */
import chalk from 'chalk';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const secrets = new Set<string>();

/** Remember a secret so that it is masked everywhere it could be printed. */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const trimmed = value.trim();
  if (trimmed.length < 6) return; // too short to mask without mangling ordinary words
  secrets.add(trimmed);
  // A PEM body is also masked line by line: an error may quote a single line of it.
  for (const line of trimmed.split(/\r?\n/)) {
    const l = line.trim();
    if (l.length >= 16 && !l.startsWith('-----')) secrets.add(l);
  }
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) {
    if (out.includes(s)) out = out.split(s).join('***');
  }
  return out;
}

export interface LogSink {
  write(line: string): void;
}

export interface LoggerOptions {
  level?: LogLevel;
  format?: 'pretty' | 'json';
  sink?: LogSink;
}

export class Logger {
  level: LogLevel;
  format: 'pretty' | 'json';
  private readonly sink: LogSink;

  constructor(opts: LoggerOptions = {}) {
    this.level = opts.level ?? 'info';
    this.format = opts.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
    this.sink = opts.sink ?? { write: (line) => process.stderr.write(line) };
  }

  debug(msg: string, meta?: Record<string, unknown>): void {
    this.log('debug', msg, meta);
  }
  info(msg: string, meta?: Record<string, unknown>): void {
    this.log('info', msg, meta);
  }
  warn(msg: string, meta?: Record<string, unknown>): void {
    this.log('warn', msg, meta);
  }
  error(msg: string, meta?: Record<string, unknown>): void {
    this.log('error', msg, meta);
  }

  log(level: LogLevel, msg: string, meta?: Record<string, unknown>): void {
    if (levelRank[level] < levelRank[this.level]) return;
    const line =
      this.format === 'json'
        ? JSON.stringify({ time: new Date().toISOString(), level, msg, ...meta })
        : prettyLine(level, msg, meta);
    this.sink.write(redact(line) + '\n');
  }
}

function prettyLine(level: LogLevel, msg: string, meta?: Record<string, unknown>): string {
  const tag = {
    debug: chalk.gray('debug'),
    info: chalk.cyan('info '),
    warn: chalk.yellow('warn '),
    error: chalk.red('error'),
  }[level];
  const extra = meta && Object.keys(meta).length > 0 ? ' ' + chalk.gray(formatMeta(meta)) : '';
  return `${tag} ${msg}${extra}`;
}

function formatMeta(meta: Record<string, unknown>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}

/** A logger that records lines, for tests and for quiet runs. */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger({ level, format: 'json', sink: { write: (l) => lines.push(l) } });
  return Object.assign(logger, { lines });
}
