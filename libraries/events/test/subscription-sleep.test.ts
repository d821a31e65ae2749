import { getEventListeners } from 'node:events';
import { sleepUnlessAborted } from '../src/subscription-loop';

describe('the wait between retries and hold-backs of a subscription', () => {
  it('when waits end on their own, then they leave no abort listener on the subscription signal', async () => {
    const abort = new AbortController();
    for (let i = 0; i < 20; i++) await sleepUnlessAborted(1, abort.signal);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('when the subscription stops during a wait, then the wait ends at once', async () => {
    const abort = new AbortController();
    const started = Date.now();
    const wait = sleepUnlessAborted(10_000, abort.signal);
    abort.abort();
    await wait;
    expect(Date.now() - started).toBeLessThan(1000);
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });
});
