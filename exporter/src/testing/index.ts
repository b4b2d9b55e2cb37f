// An exporter over a filled store, for the tests of every workspace.
export * from './fixture.ts';
export * from './fuzz-target.ts';
