import { parseArgs } from 'node:util';
import { parseToleranceRule, type ToleranceRule } from '@lacuna/core';

/** Bad arguments: the command prints the one-line reason and exits with status 2. */
export class UsageError extends Error {}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** Shown in --help: the value's name, e.g. PATTERN. */
  value?: string;
  description: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Extra help text after the options. */
  details?: string;
}

export const TOLERANCE_OPTION: OptionSpec = {
  type: 'string',
  multiple: true,
  value: 'RULE',
  description: 'join tolerance, a fraction of the sample interval (0.5, the default) or a duration (10ms), optionally for some channels: "IU.*.*.LH?=0.25"; repeatable',
};

/** The --tolerance rules; a bad rule is an unusable argument. */
export function toleranceRules(command: string, values: unknown): ToleranceRule[] {
  try {
    return ((values as string[] | undefined) ?? []).map(parseToleranceRule);
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message}`);
  }
}

export const STORE_OPTION: OptionSpec = {
  type: 'string',
  value: 'DIR|URL',
  description: 'store: a directory for the embedded engine, or a ClickHouse http(s):// URL (default $LACUNA_STORE or ./data/lacuna)',
};

export const CLUSTER_OPTION: OptionSpec = {
  type: 'string',
  value: 'NAME',
  description: "with a ClickHouse server store: spread the tables over this cluster of the servers' remote_servers (replicated tables ON CLUSTER, Distributed tables sharded by station); default $LACUNA_CLICKHOUSE_CLUSTER",
};

export function helpText(spec: CommandSpec): string {
  const rows = Object.entries({ ...spec.options, help: { type: 'boolean', short: 'h', description: 'show this help' } as OptionSpec }).map(
    ([name, option]) => [`${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`, option.description],
  );
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: ${spec.usage}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    ...(spec.details ? ['', spec.details] : []),
    '',
  ].join('\n');
}

/**
 * `--start -2d` as `--start=-2d`: a value that starts with a minus and a digit (a relative time, a
 * negative number) belongs to the option before it, which node's parser would otherwise refuse
 * as "ambiguous". No option of ours is named like a number, so nothing else changes meaning.
 */
function joinNegativeValues(argv: readonly string[], options: Record<string, { type: 'string' | 'boolean' }>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') return [...joined, ...argv.slice(i)];
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    if (name !== undefined && options[name]?.type === 'string' && /^-\d/.test(argv[i + 1] ?? '')) {
      joined.push(`--${name}=${argv[i + 1]}`);
      i++;
    } else {
      joined.push(argv[i]);
    }
  }
  return joined;
}

export type ParsedArgs = { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };

/** Parses a command's arguments strictly; unknown options and missing values are usage errors. */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): ParsedArgs | 'help' {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = { help: { type: 'boolean', short: 'h' } };
  for (const [name, option] of Object.entries(spec.options)) {
    options[name] = { type: option.type, multiple: option.multiple ?? false, ...(option.short ? { short: option.short } : {}) };
  }
  try {
    const parsed = parseArgs({ args: joinNegativeValues(argv, options), options, allowPositionals: true, strict: true });
    if (parsed.values.help) return 'help';
    return parsed as ParsedArgs;
  } catch (error) {
    // `--start --store S`: node calls the value "ambiguous" (is --store the value?); it is missing.
    const ambiguous = /^Option '(--[\w-]+)' argument is ambiguous/.exec((error as Error).message);
    const message = ambiguous ? `option ${ambiguous[1]} needs a value before the next option` : (error as Error).message.split('\n')[0];
    throw new UsageError(`${spec.name}: ${message} (see lacuna ${spec.name} --help)`);
  }
}

/** The value of an option from a closed list, or a usage error naming the option. */
export function choice<T extends string>(command: string, option: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${command}: --${option} must be one of ${allowed.join(', ')} (got "${String(value)}")`);
}
