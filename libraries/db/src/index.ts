export * from './database';
export * from './deadlock-retry';
