export * from './app-errors';
export * from './error-middleware';
