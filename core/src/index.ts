export * from './model.ts';
export * from './time.ts';
export * from './channel.ts';
export * from './segments.ts';
export * from './availability.ts';
export * from './first-seen.ts';
