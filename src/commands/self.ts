/**
 * How to run this program again from a shell, for the commands we suggest: `asodesk-omni` when
 * that name on PATH is this program, else `node <path to bin/asodesk-omni.js>` (after `npm start`
 * in a clone nothing is on PATH).
 */
import { existsSync, realpathSync } from 'node:fs';
import { delimiter, join, relative } from 'node:path';

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

export function selfCommand(
  env: Readonly<Record<string, string | undefined>> = process.env,
  script: string | undefined = process.argv[1],
  cwd = process.cwd(),
): string {
  const me = script ? real(script) : undefined;
  if (!me) return 'asodesk-omni';
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'asodesk-omni');
    if (existsSync(candidate) && real(candidate) === me) return 'asodesk-omni';
  }
  const rel = relative(cwd, me);
  return `node ${rel.startsWith('..') || rel === '' ? me : rel}`;
}
