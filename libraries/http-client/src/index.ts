export * from './service-client';
export * from './replica-ring';
export * from './close-all';
