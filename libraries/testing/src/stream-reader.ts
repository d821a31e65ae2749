import request from 'supertest';
import type { TestedApp } from './internal-callers';
import { serviceBearer } from './test-tokens';

/** One event of a service's stream as its readers get it (GET /internal/events). */
export interface StreamEventRead<D = Record<string, unknown>> {
  service: string;
  seq: number;
  type: string;
  at: string;
  data: D;
}

/**
 * A service's whole event stream after `after`, read page by page through GET /internal/events
 * with `caller`'s service token, as another service reads it. A page refused fails the test.
 */
export async function readWholeStream<D = Record<string, unknown>>(
  app: TestedApp,
  o: { caller: string; callee: string; after?: number; limit?: number },
): Promise<Array<StreamEventRead<D>>> {
  const events: Array<StreamEventRead<D>> = [];
  let after = o.after ?? 0;
  for (;;) {
    const res = await request(app)
      .get('/internal/events')
      .query({ after, limit: o.limit ?? 1000 })
      .set('Authorization', serviceBearer(o.caller, o.callee));
    if (res.status !== 200) throw new Error(`GET /internal/events answered ${res.status} ${JSON.stringify(res.body)}`);
    const page = res.body as { events: Array<StreamEventRead<D>>; last_seq: number };
    if (page.events.length === 0) return events;
    events.push(...page.events);
    after = page.last_seq;
  }
}
