/**
 * npm run fuzz -- [--inputs N] [--targets a,b] [--seed S] [--jobs J] [--hang-seconds H]
 *
 * Long fuzzing runs of the parsers that take outside input: the miniSEED reader, the SeedLink
 * framing, StationXML, the metadata CSV and the push ingest body (the targets are in
 * collector/src/fuzz-targets.ts and exporter/src/testing/fuzz-target.ts; `npm test` runs them
 * briefly). Each target runs in a child process of its own, inputs in chunks made from the seed,
 * so any input can be made again. It prints, per target: inputs run, crashes (an error the parser
 * does not promise), hangs (no chunk done for H seconds: the child is killed, the chunk replayed
 * one input at a time to name the input, and the run goes on), values it would store outside the
 * store's range, and the child's peak memory (VmHWM). Exit status 1 when anything was found.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { COLLECTOR_FUZZ_TARGETS, type FuzzTarget } from '@lacuna/collector/testing';
import { ingestTarget } from '@lacuna/exporter/testing';

const TARGETS = [...COLLECTOR_FUZZ_TARGETS, ingestTarget] as readonly FuzzTarget<unknown>[];
const CHUNK = 1000;
const SHOWN = 3;

interface Finding {
  index: number;
  what: string;
  input: string;
}

type ChildMessage =
  | { kind: 'chunk'; chunk: number; crashes: Finding[]; outOfRange: Finding[] }
  | { kind: 'input'; index: number }
  | { kind: 'end'; peakKb: number };

function inputsOf(target: FuzzTarget<unknown>, seed: number, chunk: number): unknown[] {
  return fc.sample(target.input, { seed: seed + chunk * 7919, numRuns: CHUNK });
}

function runOne(target: FuzzTarget<unknown>, input: unknown, index: number, crashes: Finding[], outOfRange: Finding[]): void {
  try {
    for (const problem of target.run(input)) outOfRange.push({ index, what: problem, input: target.show(input) });
  } catch (error) {
    crashes.push({ index, what: error instanceof Error ? `${error.name}: ${error.message}` : String(error), input: target.show(input) });
  }
}

function peakKb(): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** The child: runs chunks [from, to) of one target, or replays one chunk input by input. */
async function child(name: string, seed: number, from: number, to: number, replay: boolean): Promise<void> {
  const target = TARGETS.find((t) => t.name === name)!;
  const send = (message: ChildMessage) => new Promise<void>((resolve) => process.send!(message, () => resolve()));
  for (let chunk = from; chunk < to; chunk++) {
    const inputs = inputsOf(target, seed, chunk);
    const crashes: Finding[] = [];
    const outOfRange: Finding[] = [];
    for (let k = 0; k < inputs.length; k++) {
      if (replay) await send({ kind: 'input', index: chunk * CHUNK + k });
      runOne(target, inputs[k], chunk * CHUNK + k, crashes, outOfRange);
    }
    await send({ kind: 'chunk', chunk, crashes: crashes.slice(0, SHOWN), outOfRange: outOfRange.slice(0, SHOWN) });
  }
  await send({ kind: 'end', peakKb: peakKb() });
  process.exit(0);
}

interface TargetReport {
  name: string;
  inputs: number;
  crashes: Finding[];
  crashCount: number;
  hangs: Finding[];
  outOfRange: Finding[];
  outOfRangeCount: number;
  peakKb: number;
  seconds: number;
}

function spawn(name: string, seed: number, from: number, to: number, replay = false): ChildProcess {
  return fork(fileURLToPath(import.meta.url), ['--child', name, String(seed), String(from), String(to), replay ? 'replay' : 'run'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** Replays a chunk input by input to find the one that hangs. */
async function findHang(target: FuzzTarget<unknown>, seed: number, chunk: number, hangMs: number): Promise<Finding> {
  const proc = spawn(target.name, seed, chunk, chunk + 1, true);
  let last = chunk * CHUNK;
  return new Promise((resolve) => {
    let timer = setTimeout(stop, hangMs);
    function stop() {
      proc.kill('SIGKILL');
      resolve({ index: last, what: `no answer within ${hangMs / 1000} s`, input: target.show(inputsOf(target, seed, chunk)[last - chunk * CHUNK]) });
    }
    proc.on('message', (message: ChildMessage) => {
      if (message.kind !== 'input') return;
      last = message.index;
      clearTimeout(timer);
      timer = setTimeout(stop, hangMs);
    });
    proc.on('exit', () => {
      clearTimeout(timer);
      resolve({ index: -1, what: 'the chunk ran to its end when replayed (a hang that depends on state)', input: '' });
    });
  });
}

async function fuzzTarget(target: FuzzTarget<unknown>, inputs: number, seed: number, hangMs: number, say: (line: string) => void): Promise<TargetReport> {
  const started = Date.now();
  const chunks = Math.ceil(inputs / CHUNK);
  const report: TargetReport = { name: target.name, inputs: 0, crashes: [], crashCount: 0, hangs: [], outOfRange: [], outOfRangeCount: 0, peakKb: 0, seconds: 0 };
  let next = 0;
  let lastSaid = Date.now();
  while (next < chunks) {
    const proc = spawn(target.name, seed, next, chunks);
    const hung = await new Promise<number | null>((resolve) => {
      let timer = setTimeout(() => resolve(next), hangMs);
      proc.on('message', (message: ChildMessage) => {
        if (message.kind === 'chunk') {
          clearTimeout(timer);
          timer = setTimeout(() => resolve(next), hangMs);
          next = message.chunk + 1;
          report.inputs += CHUNK;
          report.crashCount += message.crashes.length;
          report.outOfRangeCount += message.outOfRange.length;
          if (report.crashes.length < SHOWN) report.crashes.push(...message.crashes.slice(0, SHOWN - report.crashes.length));
          if (report.outOfRange.length < SHOWN) report.outOfRange.push(...message.outOfRange.slice(0, SHOWN - report.outOfRange.length));
          if (Date.now() - lastSaid > 30_000) {
            lastSaid = Date.now();
            say(`${target.name}: ${report.inputs.toLocaleString('en')} inputs, ${Math.round(report.inputs / ((Date.now() - started) / 1000))}/s, ${report.crashCount} crashes, ${report.hangs.length} hangs, ${report.outOfRangeCount} out of range`);
          }
        } else if (message.kind === 'end') {
          report.peakKb = Math.max(report.peakKb, message.peakKb);
        }
      });
      proc.on('exit', (code) => {
        clearTimeout(timer);
        if (code !== 0 && next < chunks) {
          // The child died (out of memory, a native crash): counted as a crash of its chunk.
          report.crashCount += 1;
          report.crashes.push({ index: next * CHUNK, what: `the fuzzing process died (exit ${code})`, input: `chunk ${next} of seed ${seed}` });
          next += 1;
        }
        resolve(null);
      });
    });
    if (hung !== null) {
      proc.kill('SIGKILL');
      say(`${target.name}: no progress for ${hangMs / 1000} s in chunk ${hung}; replaying it to find the input`);
      report.hangs.push(await findHang(target, seed, hung, hangMs));
      next = hung + 1;
      report.inputs += CHUNK;
    }
  }
  report.seconds = (Date.now() - started) / 1000;
  return report;
}

function option(args: string[], name: string, fallback: string): string {
  const at = args.indexOf(name);
  return at >= 0 && at + 1 < args.length ? args[at + 1] : fallback;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help')) {
    console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('*/')[0].replace(/^\/\*\*|^ \* ?/gm, '').trim());
    return 0;
  }
  const inputs = Number(option(args, '--inputs', '1000000'));
  const seed = Number(option(args, '--seed', String(Date.now() % 1_000_000)));
  const jobs = Number(option(args, '--jobs', '2'));
  const hangMs = Number(option(args, '--hang-seconds', '60')) * 1000;
  const names = option(args, '--targets', TARGETS.map((t) => t.name).join(',')).split(',');
  const unknown = names.filter((name) => !TARGETS.some((t) => t.name === name));
  if (unknown.length > 0 || !(inputs > 0) || !(jobs >= 1) || !(hangMs > 0)) {
    console.error(`usage: npm run fuzz -- [--inputs N] [--targets ${TARGETS.map((t) => t.name).join(',')}] [--seed S] [--jobs J] [--hang-seconds H]${unknown.length ? ` (unknown target ${unknown.join(', ')})` : ''}`);
    return 2;
  }
  const say = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
  say(`fuzzing ${names.join(', ')}: ${inputs.toLocaleString('en')} inputs each, seed ${seed}, ${jobs} at a time`);
  const queue = TARGETS.filter((t) => names.includes(t.name));
  const reports: TargetReport[] = [];
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      for (let target = queue.shift(); target; target = queue.shift()) {
        const report = await fuzzTarget(target, inputs, seed, hangMs, say);
        reports.push(report);
        say(`${target.name}: done in ${Math.round(report.seconds)} s`);
      }
    }),
  );
  console.log('\ntarget             inputs      crashes  hangs  out of range  peak memory  inputs/s');
  for (const r of reports.sort((a, b) => a.name.localeCompare(b.name))) {
    console.log(
      `${r.name.padEnd(18)} ${r.inputs.toLocaleString('en').padStart(10)}  ${String(r.crashCount).padStart(7)}  ${String(r.hangs.length).padStart(5)}  ${String(r.outOfRangeCount).padStart(12)}  ${(r.peakKb / 1024).toFixed(0).padStart(8)} MB  ${String(Math.round(r.inputs / r.seconds)).padStart(8)}`,
    );
    for (const [kind, list] of [['crash', r.crashes], ['hang', r.hangs], ['out of range', r.outOfRange]] as const) {
      for (const f of list) console.log(`  ${kind} at input ${f.index}: ${f.what}\n    input: ${f.input.slice(0, 2000)}`);
    }
  }
  console.log(`\nseed ${seed}: the same command with --seed ${seed} makes the same inputs`);
  return reports.some((r) => r.crashCount + r.hangs.length + r.outOfRangeCount > 0) ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1], Number(args[2]), Number(args[3]), Number(args[4]), args[5] === 'replay');
} else {
  process.exitCode = await main(args);
}
