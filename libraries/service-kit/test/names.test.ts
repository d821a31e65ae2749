import { CHANNEL_PATTERN, PSEUDO_PATTERN, isValidPseudo, normalizeChannel, pseudoKey, pseudoSchema } from '@canaduck/service-kit';

describe('pseudos', () => {
  it.each(['roger', 'R', 'a1', 'Nick_-[]\\^{}|', 'x'.repeat(30), 'CanaDuck'])('when the pseudo is %p, then it is valid', (p) => {
    expect(isValidPseudo(p)).toBe(true);
    expect(pseudoSchema.safeParse(p).success).toBe(true);
  });

  it.each(['', '1roger', '_roger', '-a', 'x'.repeat(31), 'ro ger', 'rogér', 'a.b', 'a@b', 'a#b', 'duck🦆', 'a\n'])(
    'when the pseudo is %p, then it is refused',
    (p) => {
      expect(isValidPseudo(p)).toBe(false);
      expect(pseudoSchema.safeParse(p).success).toBe(false);
    },
  );

  it('when two pseudos differ only by case, then their key is the same', () => {
    expect(pseudoKey('Roger')).toBe(pseudoKey('rOGER'));
    expect(pseudoKey('Nick[]')).toBe('nick[]');
  });

  it('when the pattern is read, then it is anchored', () => {
    expect(PSEUDO_PATTERN.source.startsWith('^')).toBe(true);
    expect(PSEUDO_PATTERN.source.endsWith('$')).toBe(true);
  });
});

describe('channel names', () => {
  it.each([
    ['tech', 'tech'],
    ['#tech', 'tech'],
    ['#Tech', 'tech'],
    ['  #General  ', 'general'],
    ['a-b_c9', 'a-b_c9'],
    ['x'.repeat(50), 'x'.repeat(50)],
    ['#' + 'Y'.repeat(50), 'y'.repeat(50)],
  ])('when the name is %p, then it normalises to %p', (raw, expected) => {
    expect(normalizeChannel(raw)).toBe(expected);
  });

  it.each(['', '#', '##tech', 'te ch', 'tech!', 'x'.repeat(51), 'café', 'a/b', 'a.b', '🦆'])(
    'when the name is %p, then it is refused',
    (raw) => {
      expect(normalizeChannel(raw)).toBeNull();
    },
  );

  it('when the pattern is read, then it allows only lower-case names', () => {
    expect(CHANNEL_PATTERN.test('Tech')).toBe(false);
    expect(CHANNEL_PATTERN.test('tech')).toBe(true);
  });
});
