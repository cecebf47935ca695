/**
 * A fresh, empty PostgreSQL database per test (or per file, when made in a hook) on the run's
 * server (test/pg-server.ts), dropped when the test (or the file) ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, inject, onTestFinished } from 'vitest';

/** The run's server, as the admin URL (its `postgres` database). */
export function pgServerUrl(): string {
  return inject('pgUrl');
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** A client on the server's admin database, for CREATE / DROP DATABASE. */
export async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgServerUrl() });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const made = new Set<string>();

async function drop(name: string): Promise<void> {
  made.delete(name);
  // WITH (FORCE): a test that failed half-way may leave a session open on it.
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`));
}

afterAll(async () => {
  for (const name of [...made]) await drop(name);
});

export interface PgDatabase {
  name: string;
  /** postgres://… of the new database (with the server's password). */
  url: string;
  drop(): Promise<void>;
}

export async function freshPgDatabase(): Promise<PgDatabase> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  made.add(name);
  try {
    onTestFinished(() => drop(name));
  } catch {
    // Made in a hook: the afterAll above drops it at the end of the file.
  }
  return { name, url: withDatabase(pgServerUrl(), name), drop: () => drop(name) };
}
