export * from './app.ts';
export * from './http/errors.ts';
export * from './http/validation.ts';
