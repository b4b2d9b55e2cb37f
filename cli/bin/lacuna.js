#!/usr/bin/env node
// Runs the compiled CLI: `npm install` (or `npm run build`) compiles cli/src into cli/dist.
import { fileURLToPath } from 'node:url';

const compiled = fileURLToPath(new URL('../dist/lacuna.js', import.meta.url));
// Stack traces (LACUNA_DEBUG) name the TypeScript sources.
if (process.env.LACUNA_DEBUG) process.setSourceMapsEnabled(true);
let cli;
try {
  cli = await import(compiled);
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes(compiled)) throw error;
  const checkout = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
  process.stderr.write(`lacuna: ${compiled} is missing: run "npm install" (or "npm run build") in ${checkout}\n`);
  process.exit(1);
}
// A reader that stops early (lacuna gaps | head) closes the pipe: the output ends there, quietly.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(0);
});
process.exitCode = await cli.main(process.argv.slice(2));
