export * from './service-client';
export * from './replica-ring';
