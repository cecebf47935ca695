/**
 * A store's knowledge lives in its connector: outside src/connectors/, src/emulators/ and the
 * config schema no source file names a store (code, strings or comments): the wizard's
 * questions, flags and the demo's wording come from each connector's wizard.ts.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = join(import.meta.dirname, '../../../../src');

const storeNames = /app[- ]?store|google[- ]?play|ru[- ]?store|itunes|apple|android|play\.google/i;

const allowedFolders = ['connectors/', 'emulators/'];
const allowedFiles = ['config/schema.ts'];

/** Files that still name a store, each with the reason; none today. Remove an entry once its file is clean (the test checks). */
const allowList: Record<string, string> = {};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('store names stay in the connectors', () => {
  const offenders = files(src)
    .map((path) => relative(src, path).split('\\').join('/'))
    .filter((rel) => !allowedFolders.some((f) => rel.startsWith(f)) && !allowedFiles.includes(rel))
    .filter((rel) => storeNames.test(readFileSync(join(src, rel), 'utf8')));

  it('no source file outside the connectors names a store, but the allow-listed ones', () => {
    expect(offenders.filter((rel) => !(rel in allowList))).toEqual([]);
  });

  it('every allow-list entry is still needed', () => {
    expect(Object.keys(allowList).filter((rel) => !offenders.includes(rel))).toEqual([]);
  });
});
