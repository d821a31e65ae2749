export * from './app-errors';
export * from './error-middleware';
export * from './plain-response';
