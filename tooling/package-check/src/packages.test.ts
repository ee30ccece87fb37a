import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binsWithoutShebang, internalRangeProblems, junkFiles, relativeReadmeLinks, metadataProblems, missingEntryFiles, optionalPeersOfMainEntry, sourceMapProblems, undeclaredImports, untypedPublicImports } from './checks.js';
import { packPackage, type PackedPackage } from './packed.js';
import { REPO_ROOT, readManifest, workspacePackages } from './workspace.js';

const workspace = workspacePackages();
const rootManifest = readManifest(REPO_ROOT);
const publishable = workspace.filter((pkg) => pkg.manifest.private !== true);

describe('the workspace', () => {
  it('keeps only the bench, the scan example and the tooling private: every other package is published', () => {
    const privates = workspace.filter((pkg) => pkg.manifest.private === true).map((pkg) => pkg.manifest.name);
    expect(privates.sort()).toEqual(['@hostgrid/bench', '@hostgrid/install-check', '@hostgrid/package-check', '@hostgrid/scan', '@hostgrid/testbed', '@hostgrid/tsconfig']);
  });

  it('releases with Changesets: public access, internal ranges kept in step, private packages left alone', () => {
    const path = join(REPO_ROOT, '.changeset', 'config.json');
    expect(existsSync(path), '.changeset/config.json').toBe(true);
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(config).toMatchObject({ access: 'public', baseBranch: 'main', updateInternalDependencies: 'patch', privatePackages: { version: false, tag: false } });
    const ignored = (config['ignore'] ?? []) as string[];
    expect(publishable.filter((pkg) => ignored.includes(pkg.manifest.name))).toEqual([]);
    expect(rootManifest.devDependencies?.['@changesets/cli']).toBeDefined();
  });
});

for (const pkg of publishable) {
  describe(`the tarball of ${pkg.manifest.name}`, () => {
    let packed: PackedPackage;
    beforeAll(async () => {
      packed = await packPackage(pkg);
    });
    afterAll(async () => {
      await packed?.[Symbol.asyncDispose]();
    });

    it('has the metadata a registry page and an install need', () => {
      expect(metadataProblems(pkg, rootManifest)).toEqual([]);
    });

    it('depends on its siblings by ranges their versions satisfy, and on no private package', () => {
      expect(internalRangeProblems(pkg, workspace)).toEqual([]);
    });

    it('ships a README and the MIT LICENSE, and no tests, fixtures, scripts or build leftovers', async () => {
      expect(packed.files).toContain('README.md');
      expect(packed.files).toContain('LICENSE');
      const license = await packed.read('LICENSE');
      expect(license).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} The Hostgrid authors\n/);
      expect(junkFiles(packed.files)).toEqual([]);
    });

    it('has a README whose links work on a registry page (absolute, or anchors of the page)', async () => {
      expect(relativeReadmeLinks(await packed.read('README.md'))).toEqual([]);
    });

    it('ships every file its exports and bin name, each bin with its #! line', async () => {
      expect(missingEntryFiles(pkg.manifest, packed)).toEqual([]);
      expect(await binsWithoutShebang(pkg.manifest, packed)).toEqual([]);
    });

    it('imports, in code and declarations, only Node built-ins and packages it declares', async () => {
      expect(await undeclaredImports(pkg.manifest, packed)).toEqual([]);
    });

    it('gives types for every package that its public declarations import', async () => {
      expect(await untypedPublicImports(pkg, packed)).toEqual([]);
    });

    it('has source maps whose sources are in the tarball or embedded', async () => {
      expect(await sourceMapProblems(packed)).toEqual([]);
    });

    it('imports no optional peer dependency from its main entry', async () => {
      expect(await optionalPeersOfMainEntry(pkg.manifest, packed)).toEqual([]);
    });
  });
}
