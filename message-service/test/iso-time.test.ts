import fc from 'fast-check';
import { isoTime } from '../src/domain/iso-time';

describe('isoTime', () => {
  test('when formatting any time in milliseconds, then it writes exactly what Date#toISOString writes', () => {
    fc.assert(
      fc.property(fc.integer({ min: -8.64e15, max: 8.64e15 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 20_000 },
    );
  });

  test('when times of one day follow times of other days, then each keeps its own date', () => {
    const times = [
      0,
      951_782_400_000,
      951_868_799_999,
      951_868_800_000,
      1_795_558_163_121,
      1_795_558_163_121 - 86_400_000,
      253_402_300_799_999,
      1,
    ];
    for (const ms of [...times, ...times.reverse()]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  test('when the time is fractional, out of range or not a number, then it behaves as Date does', () => {
    for (const ms of [1.5, -0.5, 253_402_300_800_000, -1, 8.64e15]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    for (const ms of [NaN, Infinity, 8.64e15 + 1]) expect(() => isoTime(ms)).toThrow(RangeError);
  });
});
