import { GUEST_LEASE_MAX_PSEUDOS } from '@canaduck/contracts';
import { leaveAndDelete } from '../commands/guests';
import type { IrcServer } from './irc-server';

// Claimed guests removed per sweep at most (one claim answers 50): the rest wait for the next one.
const MAX_CLAIMS_PER_SWEEP = 4;

/**
 * Keeps this door's guests alive and removes the guests of dead doors. Every guest carries a
 * lease held by its door (IRC_INSTANCE_ID): renewed every third of IRC_GUEST_LEASE_S while its
 * client is connected. A door killed with SIGKILL renews nothing; every door sweeps every half
 * lease, claims guests whose lease ran out and makes them leave their channels and go, as on
 * QUIT. A live door's guests are never claimed: their leases never run out. At start, the door
 * also claims the guests it held under the same id before a restart.
 */
export class GuestKeeper {
  private renewTimer?: NodeJS.Timeout;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  private stopped = false;

  constructor(private readonly server: IrcServer) {}

  start(): void {
    const leaseMs = this.server.settings.guestLeaseSeconds * 1000;
    this.renewTimer = setInterval(() => void this.renew(), leaseMs / 3);
    this.sweepTimer = setInterval(() => void this.sweep(false), leaseMs / 2);
    this.renewTimer.unref();
    this.sweepTimer.unref();
    // In the background: user-service being down must not keep the door from listening.
    void this.sweep(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.renewTimer);
    clearInterval(this.sweepTimer);
    await this.sweeping;
  }

  /** Renews the leases of the guests connected here; one another door claimed (this one was too late) is dropped. */
  async renew(): Promise<void> {
    const guests = this.server.guestConnections();
    for (let i = 0; i < guests.length; i += GUEST_LEASE_MAX_PSEUDOS) {
      const chunk = guests.slice(i, i + GUEST_LEASE_MAX_PSEUDOS);
      try {
        const r = await this.server.clients.users.renewGuests(
          this.server.guestLease,
          chunk.map((c) => c.name),
        );
        if (r.status !== 200) {
          this.server.logger.warn({ status: r.status }, 'guest leases not renewed');
          continue;
        }
        const renewed = new Set(r.data.renewed.map((p) => p.toLowerCase()));
        for (const conn of chunk) {
          if (renewed.has(conn.name.toLowerCase()) || conn.isClosing || !conn.session) continue;
          // Its new holder removes it: this door must not delete it a second time.
          conn.session.guest = false;
          conn.close('Guest session expired');
        }
      } catch (err) {
        this.server.logger.warn({ err: (err as Error).message }, 'guest leases not renewed');
      }
    }
  }

  /** Claims expired guests (and, at start, this instance's own) and removes them. */
  sweep(reclaimOwn: boolean): Promise<void> {
    if (this.sweeping || this.stopped) return this.sweeping ?? Promise.resolve();
    this.sweeping = this.sweepOnce(reclaimOwn).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(reclaimOwn: boolean): Promise<void> {
    const { clients, logger } = this.server;
    try {
      for (let round = 0; round < MAX_CLAIMS_PER_SWEEP && !this.stopped; round++) {
        const r = await clients.users.claimExpiredGuests(this.server.guestLease, reclaimOwn);
        if (r.status !== 200) return logger.warn({ status: r.status }, 'expired guests not claimed');
        for (const guest of r.data.guests) {
          const m = await clients.channels.memberships(guest.pseudo);
          // Without its channels it is kept: the claim's lease runs out and a later sweep tries again.
          if (m.status !== 200) {
            logger.warn({ pseudo: guest.pseudo, status: m.status }, 'expired guest kept: its channels are unknown');
            continue;
          }
          await leaveAndDelete(
            this.server,
            guest.pseudo,
            `Bearer ${guest.token}`,
            m.data.channels.map((c) => c.name),
          );
        }
        if (r.data.guests.length) logger.info({ guests: r.data.guests.map((g) => g.pseudo) }, 'expired guests removed');
        if (r.data.guests.length < 50) return;
      }
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'expired guests not claimed');
    }
  }
}
