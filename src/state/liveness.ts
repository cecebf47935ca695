/**
 * Who holds a claim, and whether that process still runs: the rule the run lock uses (pid and
 * host), plus the process start time so a pid reused by another program is not taken for the
 * holder. A holder is written as `pid@host#start`; on another host it cannot be checked and
 * counts as alive (its claim is then taken over only once stale).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Start time of a process in clock ticks since boot (Linux /proc); '' where unknown. */
function startTime(pid: number | 'self'): string {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2) is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? '';
  } catch {
    return '';
  }
}

let self: string | undefined;

/** This process as a claim holder. */
export function selfHolder(): string {
  self ??= `${process.pid}@${hostname()}#${startTime('self')}`;
  return self;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** False only when the holder is surely gone: same host, and its pid is dead or now another process. */
export function holderAlive(holder: string | null | undefined): boolean {
  if (!holder) return false;
  const m = /^(\d+)@(.*)#(\d*)$/.exec(holder);
  if (!m) return false;
  const [, pidText, host, start] = m;
  if (host !== hostname()) return true;
  if (holder === selfHolder()) return true;
  const pid = Number(pidText);
  if (!pidAlive(pid)) return false;
  return start === '' || startTime(pid) === '' || startTime(pid) === start;
}
