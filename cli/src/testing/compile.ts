// vitest's global setup: the tests that start `lacuna` as a process run the compiled CLI, as users
// do, so it is compiled from the sources under test first.
import { buildCli } from '../../build.ts';

export async function setup(): Promise<void> {
  await buildCli();
}
