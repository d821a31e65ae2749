/** Something with sockets or timers to stop: a ServiceClient, a client class over one, an event transport. */
export interface Closable {
  close(): void | Promise<void>;
}

/**
 * A Clients object's close(): closes every client at once and settles when all have; one that
 * fails does not keep the others open (the first failure is thrown once all are done).
 */
export async function closeAll(...clients: Closable[]): Promise<void> {
  const results = await Promise.allSettled(clients.map(async (c) => c.close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
