export { z } from 'zod';
export * from './load-config';
export * from './duration';
export * from './parsed-with';
