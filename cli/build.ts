// Compiles the `lacuna` command: cli/src, the workspaces it uses and the libraries they import,
// bundled by esbuild into cli/dist/lacuna.js, which cli/bin/lacuna.js runs, and the chunks it loads
// (and the archive scan's reading thread into read-worker.js).
// A bundle starts several times faster than TypeScript compiled at every start (tsx), or than
// the same code spread over the hundreds of files node would otherwise find and read one by one;
// the exporter's libraries (2 MB of the 3) are a chunk that only the commands that serve load.
// `npm install` runs this (the root package's `prepare`), and so do `npm start` and `npm run build`.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CLI = dirname(fileURLToPath(import.meta.url));

/** Writes cli/dist/lacuna.js, the archive scan's reading thread read-worker.js beside it, and their source maps. */
export async function buildCli(): Promise<void> {
  const result = await build({
    entryPoints: { lacuna: join(CLI, 'src/main.ts'), 'read-worker': createRequire(import.meta.url).resolve('@lacuna/collector/read-worker') },
    outdir: join(CLI, 'dist'),
    // Code that only some commands use (the exporter's libraries) is in chunks of its own, loaded
    // when such a command runs: a scan or a report does not read and compile it at every start.
    splitting: true,
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
    metafile: true,
  });
  // Chunks of earlier builds go once this one is written (emptying dist first would leave no lacuna.js for a moment).
  const written = new Set(Object.keys(result.metafile.outputs).map((path) => resolve(path)));
  for (const name of readdirSync(join(CLI, 'dist'))) {
    const path = join(CLI, 'dist', name);
    if (!written.has(path)) rmSync(path, { force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await buildCli();
