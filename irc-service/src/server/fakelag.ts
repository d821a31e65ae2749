/** Its settings: IRC_FAKELAG_BURST, IRC_FAKELAG_WINDOW_MS, IRC_FAKELAG_MESSAGES, IRC_FAKELAG_COOLDOWN_MS (config.ts). */
export interface FakelagSettings {
  burst: number;
  windowMs: number;
  messages: number;
  cooldownMs: number;
}

/**
 * Flood control as ergo's fakelag: a client may send `burst` lines at once; past that, each line
 * waits until `windowMs / messages` after the previous one, until the client has been quiet for
 * `cooldownMs`. The lines are delayed, never dropped, so a fast paste arrives whole but slowly.
 */
export class Fakelag {
  private throttled = false;
  private burst = 0;
  private lastTouch = 0;

  constructor(private readonly s: FakelagSettings) {}

  /** How long to wait before handling the line that arrives at `now`. */
  delayFor(now: number): number {
    if (!this.throttled) {
      if (now - this.lastTouch > this.s.windowMs) this.burst = 0;
      this.burst++;
      this.lastTouch = now;
      if (this.burst <= this.s.burst) return 0;
      this.throttled = true;
    }
    const elapsed = now - this.lastTouch;
    if (elapsed > this.s.cooldownMs) {
      this.throttled = false;
      this.burst = 1;
      this.lastTouch = now;
      return 0;
    }
    const wait = Math.max(0, this.s.windowMs / this.s.messages - elapsed);
    this.lastTouch = now + wait;
    return wait;
  }
}
