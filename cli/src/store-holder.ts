import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StoreLocation } from '@lacuna/core';
import { isRunning } from '@lacuna/collector';

/*
 * An embedded store belongs to the one process that opened it: the engine locks the directory
 * (its `status` file, which holds the holder's PID) and prints a raw "Cannot lock file" line when
 * a second process tries. So before opening it, the CLI looks who holds it; a `lacuna start` or
 * `lacuna serve` holding it has written its address beside the lock, and the report commands
 * read through it instead.
 */

/** Written into the store directory by a running exporter, removed when it stops. */
export const SERVER_FILE = 'lacuna-server.json';

interface ServerFile {
  pid: number;
  url: string;
}

export interface StoreHolder {
  pid: number;
  /** The holder's exporter, when it runs one. */
  url: string | null;
}

/** Stores whose server this process announced (a pid alone cannot tell: in a container every run is pid 1). */
const announced = new Map<string, string>();

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The live process holding an embedded store, or null when none does (no lock, or the lock of a
 * process that has died: the engine takes that over). This very process holds it only when it
 * announced a server on it.
 */
export function storeHolder(location: StoreLocation): StoreHolder | null {
  if (location.kind !== 'embedded') return null;
  const pid = Number(/^PID: (\d+)$/m.exec(readText(join(location.target, 'status')) ?? '')?.[1]);
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return null;
  if (pid === process.pid) {
    const url = announced.get(location.target);
    return url === undefined ? null : { pid, url };
  }
  let server: ServerFile | null = null;
  try {
    server = JSON.parse(readText(join(location.target, SERVER_FILE)) ?? 'null') as ServerFile | null;
  } catch {
    server = null;
  }
  return { pid, url: server?.pid === pid && typeof server.url === 'string' ? server.url : null };
}

/** A URL this host can reach a server at: a wildcard listen address becomes loopback. */
export function reachableUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.hostname === '0.0.0.0') parsed.hostname = '127.0.0.1';
  else if (parsed.hostname === '[::]') parsed.hostname = '[::1]';
  return parsed.toString().replace(/\/$/, '');
}

/** Announces this process's exporter beside the embedded store it holds; returns the way to withdraw it. */
export async function announceServer(location: StoreLocation, url: string): Promise<() => Promise<void>> {
  if (location.kind !== 'embedded') return async () => undefined;
  const path = join(location.target, SERVER_FILE);
  const file: ServerFile = { pid: process.pid, url: reachableUrl(url) };
  await writeFile(path, `${JSON.stringify(file)}\n`);
  announced.set(location.target, file.url);
  return async () => {
    announced.delete(location.target);
    await rm(path, { force: true });
  };
}
