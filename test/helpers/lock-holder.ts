/**
 * Another process holding the state file's write lock (`BEGIN IMMEDIATE`), as a `sync`, a
 * backup or an admin's sqlite3 shell would: started, it says when it holds the lock, and
 * releases it when told (or after `holdMs`). Event based: no test waits on a clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const script = `
const Database = require('better-sqlite3');
const db = new Database(process.argv[1]);
db.pragma('busy_timeout = 10000');
db.exec('BEGIN IMMEDIATE');
process.stdout.write('locked\\n');
const release = () => { db.exec('COMMIT'); db.close(); process.stdout.write('released\\n'); process.exit(0); };
const hold = Number(process.argv[2]);
if (hold > 0) setTimeout(release, hold);
process.stdin.on('data', (d) => { if (String(d).includes('release')) release(); });
`;

export interface LockHolder {
  child: ChildProcess;
  /** Gives the lock back; resolves when the child has committed and exited. */
  release(): Promise<void>;
}

export async function holdWriteLock(dbPath: string, holdMs = 0): Promise<LockHolder> {
  const child = spawn(process.execPath, ['-e', script, dbPath, String(holdMs)], {
    cwd: process.cwd(),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('locked')) resolve();
    });
    void exited.then(() => reject(new Error(`the lock holder exited early: ${err}`)));
  });
  return {
    child,
    release: async () => {
      if (child.exitCode === null) child.stdin?.write('release\n');
      await exited;
    },
  };
}
