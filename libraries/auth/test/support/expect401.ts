import { UnauthorizedError } from '@canaduck/errors';

/** Expects a 401 UnauthorizedError with the given code. */
export async function expect401(fn: () => Promise<unknown>, code = 'invalid_token', message?: RegExp): Promise<void> {
  let thrown: unknown;
  try {
    await fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(UnauthorizedError);
  expect((thrown as UnauthorizedError).status).toBe(401);
  expect((thrown as UnauthorizedError).code).toBe(code);
  if (message) expect((thrown as Error).message).toMatch(message);
}
