import { StoreUnavailableError } from '@lacuna/core';
import { helpText, parseCommandArgs, UsageError, type CommandSpec, type ParsedArgs } from './args.ts';
import type { Io } from './context.ts';
import { demoCommand, demoSpec } from './commands/demo.ts';
import { filesCommand, filesSpec } from './commands/files.ts';
import { availabilitySpec, gapsSpec, queryCommand, segmentsSpec } from './commands/query.ts';
import { scanCommand, scanSpec } from './commands/scan.ts';
import { seedlinkInfoCommand, seedlinkInfoSpec } from './commands/seedlink-info.ts';
import { serveCommand, serveSpec } from './commands/serve.ts';
import { startCommand, startSpec } from './commands/start.ts';

type Run = (values: Record<string, unknown>, positionals: string[], io: Io) => Promise<number>;

const COMMANDS: [CommandSpec, Run][] = [
  [startSpec, startCommand],
  [serveSpec, serveCommand],
  [scanSpec, scanCommand],
  [segmentsSpec, (values, positionals, io) => queryCommand('segments', values, positionals, io)],
  [gapsSpec, (values, positionals, io) => queryCommand('gaps', values, positionals, io)],
  [availabilitySpec, (values, positionals, io) => queryCommand('availability', values, positionals, io)],
  [filesSpec, filesCommand],
  [demoSpec, demoCommand],
  [seedlinkInfoSpec, seedlinkInfoCommand],
];

export const EXIT = { ok: 0, failure: 1, usage: 2, store: 3 } as const;

function findCommand(name: string): [CommandSpec, Run] {
  const command = COMMANDS.find(([spec]) => spec.name === name);
  if (!command) throw new UsageError(`unknown command "${name}" (commands: ${COMMANDS.map(([spec]) => spec.name).join(', ')})`);
  return command;
}

/** What `lacuna COMMAND args…` would run with, or 'help'; throws UsageError where the CLI would refuse the arguments. */
export function parseArguments(command: string, args: string[]): ParsedArgs | 'help' {
  return parseCommandArgs(findCommand(command)[0], args);
}

function overview(): string {
  const width = Math.max(...COMMANDS.map(([spec]) => spec.name.length));
  return [
    'Usage: lacuna COMMAND [options]',
    '',
    'Lacuna: which channels have data, where the gaps are, and how late the data is.',
    '',
    'Commands:',
    ...COMMANDS.map(([spec]) => `  ${spec.name.padEnd(width)}  ${spec.summary.split('. ')[0].replace(/\.$/, '')}`),
    '',
    'Run "lacuna COMMAND --help" for a command\'s options, "lacuna --version" for the version.',
    '',
  ].join('\n');
}

/** Runs the CLI; returns the exit status. Errors become one line on stderr. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    const { LACUNA_VERSION } = await import('@lacuna/exporter');
    io.stdout.write(`lacuna ${LACUNA_VERSION}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    const [spec, run] = findCommand(name);
    const parsed = parseCommandArgs(spec, rest);
    if (parsed === 'help') {
      io.stdout.write(helpText(spec));
      return EXIT.ok;
    }
    return await run(parsed.values, parsed.positionals, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`lacuna: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof StoreUnavailableError) {
      io.stderr.write(`lacuna: ${error.message}\n`);
      return EXIT.store;
    }
    io.stderr.write(`lacuna: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    if (process.env.LACUNA_DEBUG) io.stderr.write(`${(error as Error).stack}\n`);
    return EXIT.failure;
  }
}
