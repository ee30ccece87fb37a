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
 * `--connect` mode (src/connect/main.ts, with `ws`) is bundled on its own as CommonJS and
 * carried inside the one file as a string, compiled only when that mode runs: `--fd` and
 * `--stdio` workers neither evaluate nor even parse ws (parsing it as code cost every
 * worker start ~6 ms; scanning a string costs a fraction of that). ws's `require`s of
 * Node built-ins go to a `require` made with createRequire; its optional native helpers
 * (bufferutil, utf-8-validate, loaded in a try/catch) are replaced by a module that
 * throws, so ws uses its plain-JS code wherever the file is copied.
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

/** Checks that a bundle pulls in no native addon and loads nothing but Node built-ins at run time. */
function check(result, file, what) {
  const inputs = Object.keys(result.metafile.inputs);
  const forbidden = inputs.filter((input) => /node-index\.js$|msgpackr-extract/.test(input));
  if (forbidden.length > 0) throw new Error(`the ${what} must not include ${forbidden.join(', ')}`);
  const output = result.metafile.outputs[relative(root, file)];
  if (output === undefined) throw new Error(`esbuild did not report ${file}`);
  const external = output.imports.filter((i) => i.external && !i.path.startsWith('node:') && !isBuiltin(i.path));
  if (external.length > 0) throw new Error(`the ${what} imports ${external.map((i) => i.path).join(', ')} at run time`);
  return inputs.length;
}

const connectFile = join(root, 'dist', 'connect.cjs');
const connect = await build({
  absWorkingDir: root,
  entryPoints: [join(root, 'src', 'connect', 'main.ts')],
  outfile: connectFile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  plugins: [msgpackrPortable, noNativeWsHelpers],
  metafile: true,
  write: false,
  legalComments: 'inline',
  logLevel: 'warning',
});
check(connect, connectFile, 'connect bundle');
const connectCode = connect.outputFiles[0].text;

/** `./connect/main.js`, as bin.ts imports it: the CommonJS bundle above, compiled on first use. */
/** @type {import('esbuild').Plugin} */
const connectAsString = {
  name: 'connect-as-string',
  setup(build) {
    build.onResolve({ filter: /^\.\/connect\/main\.js$/ }, () => ({ path: 'connect', namespace: 'connect-string' }));
    build.onLoad({ filter: /.*/, namespace: 'connect-string' }, () => ({
      loader: 'js',
      contents: `
import { createRequire } from 'node:module';
const CODE = ${JSON.stringify(connectCode)};
const module = { exports: {} };
new Function('require', 'module', 'exports', CODE)(createRequire(import.meta.url), module, module.exports);
export const runConnect = module.exports.runConnect;
`,
    }));
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
  banner: { js: '#!/usr/bin/env node' },
  plugins: [msgpackrPortable, connectAsString],
  metafile: true,
  legalComments: 'inline',
  logLevel: 'warning',
});

const inputs = check(result, outfile, 'worker bundle');

await chmod(outfile, 0o755);
const { size } = await stat(outfile);
console.log(`bundled ${relative(root, outfile)} (${Math.round(size / 1024)} KiB, ${inputs} inputs, --connect carried as a string)`);
