import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { main } from '../main.ts';

/** What one `lacuna …` run printed, and its exit status. */
export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, as a user would from a pipe (stderr is not a terminal). */
export async function lacuna(...argv: string[]): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (chunk: Buffer) => out.push(chunk));
  (stderr as unknown as PassThrough).on('data', (chunk: Buffer) => err.push(chunk));
  const status = await main(argv, { stdout, stderr });
  return { status, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

/** What a child process printed, and its exit status (null when a signal ended it). */
export interface ProcessRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command as its own process, as from another terminal, and waits for it to end. */
export function runProcess(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', fail);
    child.on('exit', (status) => done({ status, stdout, stderr }));
  });
}
