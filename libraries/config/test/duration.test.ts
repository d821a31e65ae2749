import { duration, loadConfig, parseDurationSeconds } from '@canaduck/config';

describe('duration settings', () => {
  const shape = { LIFETIME: duration('1h') };

  it.each([
    ['3600', 3600],
    ['45s', 45],
    ['30m', 1800],
    ['1h', 3600],
    ['7d', 604800],
    ['2 weeks', 1209600],
    [' 90 ', 90],
  ])('when a duration is %s, then it is %i seconds', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
    expect(loadConfig(shape, { LIFETIME: text }).LIFETIME).toBe(seconds);
  });

  it('when the duration is unset, then the fallback is read the same way', () => {
    expect(loadConfig(shape, {}).LIFETIME).toBe(3600);
  });

  it.each([['0'], ['-5'], ['-5m'], ['1500ms'], ['soon'], ['']])('when the duration is "%s", then it is refused', (text) => {
    expect(parseDurationSeconds(text)).toBeNull();
  });

  it('when a setting is not a duration, then loading the configuration names it', () => {
    expect(() => loadConfig(shape, { LIFETIME: 'soon' })).toThrow(/LIFETIME: expected a positive duration/);
  });
});
