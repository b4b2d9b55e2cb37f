import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection, for after a large piece of work (a /metrics refresh of a large
 * store, a scan's checkpoint after thousands of files). Such work leaves tens of megabytes of
 * its working set in V8's old generation, which V8 collects only once it has grown several times
 * that size: resident memory then stays a hundred megabytes and more above what is live. A full
 * collection takes some 20 ms at that size. Node offers it only with --expose-gc: the flag is set
 * here, and the collector taken from a new context, which has it (as Jest does for its heap
 * figures). Where a runtime refuses, V8 collects when it sees fit.
 */
export function collectGarbage(): void {
  if (fullCollection === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      fullCollection = runInNewContext('gc') as () => void;
    } catch {
      fullCollection = () => undefined;
    }
  }
  fullCollection();
}

let fullCollection: (() => void) | undefined;
