import { splitUrlList } from '@canaduck/config';

/** A replica that refused a connection is passed over for this long (while another one answers). */
export const SKIP_REFUSED_MS = 1000;

/**
 * The replicas of one service, taken in turn (round robin). One that refused a connection lately
 * is passed over for SKIP_REFUSED_MS, unless every one did (then the turn goes on as usual, so a
 * restarted replica is found again). Shared by the gateway's proxy and the ServiceClient, so both
 * balance the same way.
 */
export class ReplicaRing<T> {
  private turn = 0;
  private readonly skipUntil: number[];

  constructor(readonly items: readonly T[]) {
    if (items.length === 0) throw new Error('a replica ring needs at least one replica');
    this.skipUntil = items.map(() => 0);
  }

  /** A ring over the addresses of `urls`: one URL, an array, or a comma-separated list. */
  static ofUrls(urls: string | readonly string[]): ReplicaRing<string> {
    return new ReplicaRing(splitUrlList(urls).map((u) => u.replace(/\/+$/, '')));
  }

  get size(): number {
    return this.items.length;
  }

  /** The index of the next replica to try. */
  pick(now = Date.now()): number {
    for (let i = 0; i < this.items.length; i++) {
      const at = (this.turn + i) % this.items.length;
      if (this.skipUntil[at] <= now) {
        this.turn = at + 1;
        return at;
      }
    }
    return this.turn++ % this.items.length;
  }

  /** The replica at `index` refused a connection: pass it over for a while. */
  refused(index: number, now = Date.now()): void {
    this.skipUntil[index] = now + SKIP_REFUSED_MS;
  }
}
