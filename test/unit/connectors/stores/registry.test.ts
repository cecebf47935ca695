import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allStores,
  allStoreWizards,
  connectors,
  storeDescriptor,
  storeIds,
  storeWizard,
} from '../../../../src/connectors/stores/registry.js';
import type { StoreWizard } from '../../../../src/connectors/stores/wizard-types.js';

const root = join(import.meta.dirname, '../../../../src/connectors/stores');
const folders = readdirSync(root)
  .filter((f) => statSync(join(root, f)).isDirectory())
  .sort();

/** Every connector folder has these; API connectors also sign in, have config settings and the wizard's questions. */
const common = ['README.md', 'index.ts', 'map.ts', 'schema.ts'];
/** Files only some connectors need, with the reason. */
const extras: Record<string, string> = {
  'google-play/quota.ts': 'the per-app read and reply quotas are counted by us (Google sends no budget headers)',
  'google-play/export.ts': 'the Play Console monthly reviews report (CSV), read by `import`',
  'rustore/export.ts': 'the RuStore Console review export (CSV), read by `import`',
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
        ...(api ? ['auth.ts', 'settings.ts', 'wizard.ts'] : []),
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

  it("registers each store's wizard module (its questions, flags, addresses) under the store's id", async () => {
    expect(allStoreWizards().map((w) => w.id)).toEqual([...storeIds]);
    for (const id of storeIds) {
      const d = storeDescriptor(id);
      const { wizard } = (await import(`../../../../src/connectors/stores/${d.api.id}/wizard.ts`)) as {
        wizard: StoreWizard;
      };
      expect(storeWizard(id)).toBe(wizard);
      expect(d.wizard).toBe(wizard);
      expect([d.name, d.consoleName, d.filters]).toEqual([wizard.name, wizard.consoleName, wizard.filters]);
    }
  });

  it('keeps the wizard modules leaves: `--help` lists their flags without loading any connector', () => {
    for (const d of allStores()) {
      const text = readFileSync(join(root, d.api.id, 'wizard.ts'), 'utf8');
      const imports = [...text.matchAll(/^import [^;]*? from '([^']+)';$/gm)].map((m) => m[1]);
      expect({
        store: d.id,
        imports: imports.filter((i) => !['../wizard-types.js', '../settings-common.js'].includes(i!)),
      }).toEqual({
        store: d.id,
        imports: [],
      });
    }
  });

  it('declares no flag or endpoint id twice, nor one the wizard uses itself', () => {
    const flags = allStoreWizards().flatMap((w) => [
      ...w.endpoints.map((e) => e.flag),
      ...w.credentialFlags.map((c) => c.flag),
    ]);
    const ids = allStoreWizards().flatMap((w) => w.endpoints.map((e) => e.id));
    expect(new Set(flags).size).toBe(flags.length);
    expect(new Set(ids).size).toBe(ids.length);
    // `omnidesk` is Omnidesk's address, `done` ends the wizard's endpoint list.
    expect(ids).not.toContain('omnidesk');
    expect(ids).not.toContain('done');
  });
});
