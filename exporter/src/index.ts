export * from './app.ts';
export * from './http/errors.ts';
export * from './http/validation.ts';
export * from './metrics/index.ts';
export * from './status.ts';
export { LACUNA_VERSION } from './landing.ts';
