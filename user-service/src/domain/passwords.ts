import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { BcryptGate } from './bcrypt-gate';

/** bcrypt only uses the first 72 bytes: longer passwords are refused rather than silently cut. */
export const PASSWORD_MIN_BYTES = 8;
export const PASSWORD_MAX_BYTES = 72;

export function passwordByteLength(password: string): number {
  return Buffer.byteLength(password, 'utf8');
}

/**
 * bcrypt through the async API (the sync one would block the event loop for every
 * login). `verifyNobody` burns the same time as a real comparison, so that an
 * unknown pseudo and a wrong password cannot be told apart by timing.
 */
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly cost: number,
    /** Without one (tests of the hasher alone), no cap. */
    private readonly gate?: BcryptGate,
  ) {}

  hash(password: string): Promise<string> {
    return this.capped(() => bcrypt.hash(password, this.cost));
  }

  private capped<T>(work: () => Promise<T>): Promise<T> {
    return this.gate ? this.gate.run(work) : work();
  }

  async verify(password: string, hash: string | null): Promise<boolean> {
    if (hash === null || passwordByteLength(password) > PASSWORD_MAX_BYTES) {
      await this.verifyNobody(password);
      return false;
    }
    return this.capped(() => bcrypt.compare(password, hash));
  }

  /** A comparison against a hash of a random secret, at the configured cost: always false. */
  async verifyNobody(password: string): Promise<false> {
    this.dummyHash ??= bcrypt.hash(randomBytes(18).toString('base64'), this.cost);
    const dummy = await this.dummyHash;
    await this.capped(() => bcrypt.compare(password, dummy));
    return false;
  }

  /** A hash made with another cost (BCRYPT_COST changed) is redone at the next successful login. */
  needsRehash(hash: string): boolean {
    return bcrypt.getRounds(hash) !== this.cost;
  }
}
