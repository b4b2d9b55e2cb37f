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
