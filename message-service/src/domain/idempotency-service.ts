import { createHash } from 'node:crypto';
import { BadRequestError, ConflictError, ValidationError } from '@canaduck/errors';
import { pseudoKey } from '@canaduck/service-kit';
import type { IdempotencyRepository } from '../repositories/idempotency-repository';
import type { Actor } from './access-policy';

/** An answer as the route sends it: replayed byte for byte to a retry. */
export interface Answer {
  status: number;
  body: unknown;
}

export interface IdempotencyServiceDeps {
  keys: IdempotencyRepository;
  /** IDEMPOTENCY_TTL in ms: how long a first answer is replayed. */
  ttlMs: number;
  now: () => number;
}

/** Printable ASCII, as the IETF draft's examples (a UUID fits). */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header): the first answer to a key is
 * stored per user and route; a retry with the same key and body gets it again (nothing is written
 * twice), the same key with another body is a 422, and a retry while the first request still runs
 * a 409. A first request that fails (an error answer) frees its key: its retry runs again.
 */
export class IdempotencyService {
  constructor(private readonly deps: IdempotencyServiceDeps) {}

  async run(actor: Actor, route: string, key: string | undefined, body: unknown, first: () => Promise<Answer>): Promise<Answer> {
    if (key === undefined) return first();
    if (!KEY_PATTERN.test(key)) {
      throw new BadRequestError('Idempotency-Key must be 1 to 255 printable ASCII characters', 'invalid_idempotency_key');
    }
    const id = { pseudoKey: pseudoKey(actor.pseudo), route, key };
    const hash = createHash('sha256')
      .update(JSON.stringify(body ?? null))
      .digest('hex');
    const now = this.deps.now();
    const cutoff = now - this.deps.ttlMs;
    let stored = await this.deps.keys.find(id);
    if (stored && stored.createdAt < cutoff) {
      await this.deps.keys.release(id);
      stored = undefined;
    }
    if (!stored) {
      await this.deps.keys.prune(cutoff);
      if (await this.deps.keys.claim(id, hash, now)) return this.firstRun(id, first);
      stored = await this.deps.keys.find(id);
    }
    if (!stored) return this.run(actor, route, key, body, first);
    if (stored.bodyHash !== hash) {
      throw new ValidationError('this Idempotency-Key was used for another request body: use a new key', 'idempotency_key_reused');
    }
    if (stored.status === null || stored.response === null) {
      throw new ConflictError('a request with this Idempotency-Key is still running: retry later', 'idempotency_key_in_use');
    }
    return { status: stored.status, body: JSON.parse(stored.response) as unknown };
  }

  private async firstRun(id: { pseudoKey: string; route: string; key: string }, first: () => Promise<Answer>): Promise<Answer> {
    let answer: Answer;
    try {
      answer = await first();
    } catch (err) {
      await this.deps.keys.release(id).catch(() => undefined);
      throw err;
    }
    await this.deps.keys.complete(id, answer.status, JSON.stringify(answer.body));
    return answer;
  }
}
