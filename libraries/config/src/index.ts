export { z } from 'zod';
export * from './load-config';
export * from './duration';
export * from './url-list';
export * from './parsed-with';
