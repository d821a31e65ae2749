export * from './service-app';
export * from './server';
export * from './validation';
export * from './names';
export * from './service-context';
export * from './run-service';
export * from './availability';
export * from './api-docs';
