// Compiles the `lacuna` command: cli/src, the workspaces it uses and the libraries they import,
// bundled by esbuild into one JavaScript module, cli/dist/lacuna.js, which cli/bin/lacuna.js runs
// (and the archive scan's reading thread into another).
// One bundle starts several times faster than TypeScript compiled at every start (tsx), or than
// the same code spread over the hundreds of files node would otherwise find and read one by one.
// `npm install` runs this (the root package's `prepare`), and so do `npm start` and `npm run build`.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI = dirname(fileURLToPath(import.meta.url));

/** Writes cli/dist/lacuna.js, the archive scan's reading thread read-worker.js beside it, and their source maps. */
export async function buildCli(): Promise<void> {
  await build({
    entryPoints: { lacuna: join(CLI, 'src/main.ts'), 'read-worker': createRequire(import.meta.url).resolve('@lacuna/collector/read-worker') },
    outdir: join(CLI, 'dist'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // The embedded ClickHouse engine is a native library that its package finds beside itself.
    external: ['chdb'],
    // Libraries written as CommonJS require() node's own modules; an ES module has no require.
    banner: { js: "import { createRequire as lacunaCreateRequire } from 'node:module'; const require = lacunaCreateRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildCli();
