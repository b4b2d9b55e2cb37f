// Test doubles for the tests of every workspace: a SeedLink server, and a store that can be switched off.
export * from './seedlink/testing/fake-server.ts';
export * from './live/testing.ts';
export * from './fuzz-targets.ts';
