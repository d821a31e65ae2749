import { ValidationError } from '@canaduck/errors';
import { applyModeChanges, DEFAULT_MODES, modeList, parseModeString } from '../src/domain/modes';

describe('mode strings', () => {
  it('when a string has several signs, then changes apply left to right', () => {
    const modes = applyModeChanges(DEFAULT_MODES, parseModeString('+ri-t+s'));
    expect(modeList(modes)).toEqual(['i', 'n', 'r', 's']);
    expect(modeList(applyModeChanges(DEFAULT_MODES, parseModeString('+r-r')))).toEqual(['n', 't']);
  });

  it('when a string is well formed, then each letter becomes one change', () => {
    expect(parseModeString('-t+s')).toEqual([
      { letter: 't', on: false },
      { letter: 's', on: true },
    ]);
  });

  it.each(['+x', 'r', '', '+', '-', '+r-', '++r', ' +r', '+r t', `+${'r'.repeat(40)}`])(
    'when the string is %p, then it is a ValidationError (422)',
    (s) => {
      expect(() => parseModeString(s)).toThrow(ValidationError);
    },
  );
});
