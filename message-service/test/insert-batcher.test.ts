import { InsertBatcher } from '../src/domain/insert-batcher';

/** A store of rows that answers after a tick, records each statement, and refuses rows marked bad. */
function fakeTable() {
  const statements: string[][] = [];
  let next = 1;
  return {
    statements,
    async insertMany(rows: string[]): Promise<number[]> {
      statements.push([...rows]);
      await new Promise((r) => setTimeout(r, 5));
      if (rows.some((r) => r.startsWith('bad'))) throw new Error('row refused');
      return rows.map(() => next++);
    },
  };
}

describe('InsertBatcher (group commit of posts)', () => {
  test('when posts come one at a time, then each is its own statement at once', async () => {
    const table = fakeTable();
    const b = new InsertBatcher({ insertMany: (r: string[]) => table.insertMany(r), maxInFlight: 2, maxBatch: 10, maxQueue: 1000 });
    expect(await b.insert('a')).toBe(1);
    expect(await b.insert('b')).toBe(2);
    expect(table.statements).toEqual([['a'], ['b']]);
  });

  test('when more posts arrive than statements may run, then the waiting ones share one statement and get their own ids', async () => {
    const table = fakeTable();
    const b = new InsertBatcher({ insertMany: (r: string[]) => table.insertMany(r), maxInFlight: 2, maxBatch: 10, maxQueue: 1000 });
    const rows = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const ids = await Promise.all(rows.map((r) => b.insert(r)));
    expect(table.statements).toEqual([['r0'], ['r1'], rows.slice(2, 12)]);
    expect(ids).toEqual(rows.map((_, i) => i + 1));
    expect(b.waiting).toBe(0);
  });

  test('when a shared statement fails because of one row, then the others are stored and only that post fails', async () => {
    const table = fakeTable();
    const b = new InsertBatcher({ insertMany: (r: string[]) => table.insertMany(r), maxInFlight: 1, maxBatch: 10, maxQueue: 1000 });
    const results = await Promise.allSettled(['first', 'ok1', 'bad', 'ok2'].map((r) => b.insert(r)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(table.statements[1]).toEqual(['ok1', 'bad', 'ok2']);
  });

  test('when more posts wait than a statement may hold, then they leave in statements of at most maxBatch rows', async () => {
    const table = fakeTable();
    const b = new InsertBatcher({ insertMany: (r: string[]) => table.insertMany(r), maxInFlight: 1, maxBatch: 3, maxQueue: 1000 });
    await Promise.all(Array.from({ length: 8 }, (_, i) => b.insert(`r${i}`)));
    expect(table.statements.map((s) => s.length)).toEqual([1, 3, 3, 1]);
  });

  test('when a post is no longer wanted when its batch leaves (its deadline answered 503), then it is dropped and never written', async () => {
    const table = fakeTable();
    const b = new InsertBatcher({ insertMany: (r: string[]) => table.insertMany(r), maxInFlight: 1, maxBatch: 10, maxQueue: 1000 });
    let lateWanted = true;
    const first = b.insert('first');
    const late = b.insert('late', () => lateWanted);
    const kept = b.insert('kept');
    lateWanted = false;
    expect(await first).toBe(1);
    await expect(late).rejects.toMatchObject({ status: 503, code: 'request_timeout' });
    expect(await kept).toBe(2);
    expect(table.statements.flat()).toEqual(['first', 'kept']);
  });

  test('when the queue holds maxQueue posts, then the next is refused at once with 503 insert_queue_full and Retry-After', async () => {
    const table = fakeTable();
    const b = new InsertBatcher({ insertMany: (r: string[]) => table.insertMany(r), maxInFlight: 1, maxBatch: 10, maxQueue: 2 });
    const running = b.insert('running');
    const waiting = [b.insert('w1'), b.insert('w2')];
    await expect(b.insert('over')).rejects.toMatchObject({ status: 503, code: 'insert_queue_full', retryAfterSeconds: 1 });
    await Promise.all([running, ...waiting]);
    expect(table.statements.flat()).toEqual(['running', 'w1', 'w2']);
  });
});
