export * from './tokens';
export * from './auth-middleware';
export * from './token-verifier';
export * from './revocation';
