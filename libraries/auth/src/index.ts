export * from './tokens';
export * from './auth-middleware';
