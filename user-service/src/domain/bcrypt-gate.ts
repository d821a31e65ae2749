import { ServiceUnavailableError } from '@canaduck/errors';

/**
 * Caps how many bcrypt computations run at once in this process. bcrypt's async work runs on
 * libuv's small thread pool, shared with file and DNS work: unbounded, a burst of logins fills
 * it and everything else waits. Past `maxConcurrent`, work waits in a short queue; past the queue
 * the caller gets 503 `bcrypt_busy` with Retry-After, which a client (or Traefik) may retry.
 */
export class BcryptGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limits: { maxConcurrent: number; queueMax: number; retryAfterSeconds?: number }) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.maxConcurrent) {
      if (this.waiting.length >= this.limits.queueMax) {
        throw new ServiceUnavailableError(
          'too many password checks at once, retry shortly',
          'bcrypt_busy',
          this.limits.retryAfterSeconds ?? 1,
        );
      }
      // The slot is handed over by the finishing run, so `running` never drops in between.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
