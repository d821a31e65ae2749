export * from './test-database';
export * from './test-tokens';
export * from './wait';
export * from './contract-fixtures';
export * from './ports';
export * from './internal-callers';
export * from './stream-reader';
