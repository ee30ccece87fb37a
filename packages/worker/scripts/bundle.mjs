/**
 * Bundles the worker runtime (src/bin.ts and everything it imports, @hostgrid/protocol
 * and msgpackr included) into one self-contained file, dist/hostgrid-worker.js, that
 * runs with plain `node` from any folder, with no node_modules beside it.
 *
 * msgpackr's Node entry tries to load its optional native addon (msgpackr-extract)
 * through createRequire. A bundle cannot carry a native addon, and whether that
 * addon loads would then depend on where the file was copied to; so msgpackr's
 * portable entry (index.js, the same encoder and decoder in plain JS) is bundled instead.
 *
 * `ws` (for `--connect`) is CommonJS: its `require`s of Node built-ins go through a
 * `require` made with createRequire in the banner, and its optional native helpers
 * (bufferutil, utf-8-validate, loaded in a try/catch) are replaced by a module that
 * throws, so ws uses its plain-JS code wherever the file is copied. The connect code is
 * reached through a dynamic import, which esbuild keeps lazy inside the one file: `--fd`
 * and `--stdio` workers never evaluate ws.
 */
import { chmod, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isBuiltin } from 'node:module';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'hostgrid-worker.js');
const RESOLVING = Symbol('msgpackr-portable');

/** @type {import('esbuild').Plugin} */
const msgpackrPortable = {
  name: 'msgpackr-portable',
  setup(build) {
    build.onResolve({ filter: /^msgpackr$/ }, async (args) => {
      if (args.pluginData === RESOLVING) return undefined;
      const node = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: RESOLVING });
      if (node.errors.length > 0) return { errors: node.errors };
      if (!node.path.endsWith('node-index.js')) {
        return { errors: [{ text: `msgpackr resolved to ${node.path}, expected its node-index.js: check scripts/bundle.mjs against msgpackr's layout` }] };
      }
      return { path: join(dirname(node.path), 'index.js') };
    });
  },
};

/** @type {import('esbuild').Plugin} */
const noNativeWsHelpers = {
  name: 'no-native-ws-helpers',
  setup(build) {
    build.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => ({ path: args.path, namespace: 'absent' }));
    build.onLoad({ filter: /.*/, namespace: 'absent' }, (args) => ({ contents: `throw new Error('${args.path} is not bundled');`, loader: 'js' }));
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src', 'bin.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __hostgridCreateRequire } from 'node:module';\nconst require = __hostgridCreateRequire(import.meta.url);" },
  plugins: [msgpackrPortable, noNativeWsHelpers],
  metafile: true,
  legalComments: 'inline',
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs);
const forbidden = inputs.filter((input) => /node-index\.js$|msgpackr-extract/.test(input));
if (forbidden.length > 0) throw new Error(`the worker bundle must not include ${forbidden.join(', ')}`);
const output = result.metafile.outputs[relative(root, outfile)];
if (output === undefined) throw new Error(`esbuild did not report ${outfile}`);
const external = output.imports.filter((i) => i.external && !i.path.startsWith('node:') && !isBuiltin(i.path));
if (external.length > 0) throw new Error(`the worker bundle imports ${external.map((i) => i.path).join(', ')} at run time`);

await chmod(outfile, 0o755);
const { size } = await stat(outfile);
console.log(`bundled ${relative(root, outfile)} (${Math.round(size / 1024)} KiB, ${inputs.length} inputs)`);
