import { loadConfig } from '@canaduck/config';
import { configShape, settingsFrom } from '../src/config';

const base = { JWT_SECRET: 'x'.repeat(32) };

describe('user-service configuration', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    const config = loadConfig(configShape, base);
    expect(settingsFrom(config)).toEqual({
      jwtExpiresInSeconds: 3600,
      bcryptCost: 10,
      presenceTimeoutSeconds: 300,
      whoisChannelsTimeoutMs: 800,
      channelServiceUrl: 'http://127.0.0.1:5003',
      natsUrl: undefined,
      natsNamespace: 'canaduck',
      eventRetentionMs: 7 * 24 * 3600 * 1000,
      bcryptMaxConcurrent: 4,
      bcryptQueueMax: 32,
      passwordChangeMax: 5,
      passwordChangeWindowSeconds: 900,
      guestOrphanAfterSeconds: 600,
    });
    expect(config.PORT).toBe(5001);
  });

  it('when NATS_URL and EVENT_RETENTION are set, then the events go to NATS and are kept that long', () => {
    const settings = settingsFrom(loadConfig(configShape, { ...base, NATS_URL: 'nats://127.0.0.1:4222', EVENT_RETENTION: '2d' }));
    expect(settings).toMatchObject({ natsUrl: 'nats://127.0.0.1:4222', eventRetentionMs: 2 * 86400 * 1000 });
  });

  it('when JWT_EXPIRES_IN and PRESENCE_TIMEOUT are durations, then they are read in seconds', () => {
    const config = loadConfig(configShape, { ...base, JWT_EXPIRES_IN: '1w', PRESENCE_TIMEOUT: '5m' });
    expect(config).toMatchObject({ JWT_EXPIRES_IN: 604800, PRESENCE_TIMEOUT: 300 });
  });

  it('when GUEST_ORPHAN_AFTER_S is set, then it is the grace in seconds; 0 turns the sweep off, a negative one is refused', () => {
    expect(settingsFrom(loadConfig(configShape, { ...base, GUEST_ORPHAN_AFTER_S: '1800' })).guestOrphanAfterSeconds).toBe(1800);
    expect(settingsFrom(loadConfig(configShape, { ...base, GUEST_ORPHAN_AFTER_S: '0' })).guestOrphanAfterSeconds).toBe(0);
    expect(() => loadConfig(configShape, { ...base, GUEST_ORPHAN_AFTER_S: '-1' })).toThrow(/GUEST_ORPHAN_AFTER_S/);
  });

  it.each([['0'], ['-5'], ['1.5s'], ['soon']])('when JWT_EXPIRES_IN is %s, then the configuration is refused', (text) => {
    expect(() => loadConfig(configShape, { ...base, JWT_EXPIRES_IN: text })).toThrow(/JWT_EXPIRES_IN/);
  });

  it('when the admin settings are invalid, then the configuration is refused', () => {
    expect(() => loadConfig(configShape, { ...base, ADMIN_PSEUDO: '1admin' })).toThrow(/ADMIN_PSEUDO/);
    expect(() => loadConfig(configShape, { ...base, ADMIN_PASSWORD: 'short' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => loadConfig(configShape, { ...base, BCRYPT_COST: '3' })).toThrow(/BCRYPT_COST/);
  });
});
