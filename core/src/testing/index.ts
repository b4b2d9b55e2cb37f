// Helpers for the tests of every workspace: the store backends to run against, and scan results to store.
export * from './store-backends.ts';
export * from './scans.ts';
export * from './synthetic-network.ts';
