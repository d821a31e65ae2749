export * from './types';
export * from './event-types';
