import { ValidationError } from '@canaduck/errors';

/** The channel modes of structures.md section 4, in the order they are listed in `modes`. */
export const MODE_LETTERS = ['i', 'n', 'r', 's', 't'] as const;
export type ModeLetter = (typeof MODE_LETTERS)[number];
export type ModeSet = Record<ModeLetter, boolean>;

/** New channels get `n` and `t` (no outside messages, topic lock), as on most IRC networks. */
export const DEFAULT_MODES: ModeSet = { i: false, n: true, r: false, s: false, t: true };

export const MAX_MODE_STRING = 32;

function isModeLetter(c: string): c is ModeLetter {
  return (MODE_LETTERS as readonly string[]).includes(c);
}

export interface ModeChange {
  letter: ModeLetter;
  on: boolean;
}

/**
 * Parses an IRC mode string ("+rt", "+r-i", "-t+s"). Changes apply left to
 * right, so "+r-r" ends with r unset. Every problem is a 422 with a message
 * that says what is wrong and what is expected.
 */
export function parseModeString(input: string): ModeChange[] {
  const known = MODE_LETTERS.join(', ');
  if (input.length === 0) throw invalid('the mode string is empty: use e.g. "+rt" or "+r-i"', 'empty_mode');
  if (input.length > MAX_MODE_STRING) throw invalid(`the mode string is longer than ${MAX_MODE_STRING} characters`, 'mode_too_long');
  if (input[0] !== '+' && input[0] !== '-') {
    throw invalid(`a mode string starts with + or - (e.g. "+${input}")`, 'mode_sign_missing');
  }
  const changes: ModeChange[] = [];
  let on = true;
  let lettersSinceSign = -1;
  for (const c of input) {
    if (c === '+' || c === '-') {
      if (lettersSinceSign === 0) throw invalid(`"${input}" has a + or - without a mode letter after it`, 'mode_letter_missing');
      on = c === '+';
      lettersSinceSign = 0;
      continue;
    }
    if (!isModeLetter(c)) throw invalid(`unknown mode letter "${c}" in "${input}" (known: ${known})`, 'unknown_mode');
    changes.push({ letter: c, on });
    lettersSinceSign++;
  }
  if (lettersSinceSign === 0) throw invalid(`"${input}" ends with a + or - without a mode letter after it`, 'mode_letter_missing');
  return changes;
}

export function applyModeChanges(current: ModeSet, changes: ModeChange[]): ModeSet {
  const next = { ...current };
  for (const ch of changes) next[ch.letter] = ch.on;
  return next;
}

/** `["n", "t"]`: the letters that are set, in MODE_LETTERS order. */
export function modeList(modes: ModeSet): ModeLetter[] {
  return MODE_LETTERS.filter((l) => modes[l]);
}

function invalid(message: string, code: string): ValidationError {
  return new ValidationError(message, code, { fields: [{ field: 'mode', message }] });
}
