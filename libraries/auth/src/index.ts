export * from './tokens';
export * from './service-keys';
export * from './service-tokens';
export * from './auth-middleware';
export * from './token-verifier';
export * from './revocation';
export * from './tickets';
