import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allStores, connectors, storeDescriptor, storeIds } from '../../../../src/connectors/stores/registry.js';

const root = join(import.meta.dirname, '../../../../src/connectors/stores');
const folders = readdirSync(root)
  .filter((f) => statSync(join(root, f)).isDirectory())
  .sort();

/** Every connector folder has these; API connectors also sign in and have config settings. */
const common = ['README.md', 'index.ts', 'map.ts', 'schema.ts'];
/** Files only some connectors need, with the reason. */
const extras: Record<string, string> = {
  'google-play/quota.ts': 'the per-app read and reply quotas are counted by us (Google sends no budget headers)',
};

describe('store connector registry', () => {
  it('registers every connector folder under its folder name, and nothing else', () => {
    expect(Object.keys(connectors).sort()).toEqual(folders);
    for (const [id, connector] of Object.entries(connectors)) expect(connector.id).toBe(id);
  });

  it('gives every folder the same file set', () => {
    for (const folder of folders) {
      const files = readdirSync(join(root, folder)).sort();
      const api = allStores().some((s) => s.api.id === folder);
      const expected = [
        ...common,
        ...(api ? ['auth.ts', 'settings.ts'] : []),
        ...Object.keys(extras)
          .filter((e) => e.startsWith(`${folder}/`))
          .map((e) => e.slice(folder.length + 1)),
      ].sort();
      expect({ folder, files }).toEqual({ folder, files: expected });
    }
  });

  it('has one API connector and one public source per store, each of that store', () => {
    for (const id of storeIds) {
      const d = storeDescriptor(id);
      expect(d.id).toBe(id);
      expect([d.api.store, d.public.store]).toEqual([id, id]);
      expect(Object.values(connectors)).toEqual(expect.arrayContaining([d.api, d.public]));
    }
    expect(allStores()).toHaveLength(storeIds.length);
    expect(allStores().flatMap((d) => [d.api, d.public])).toHaveLength(folders.length);
  });
});
