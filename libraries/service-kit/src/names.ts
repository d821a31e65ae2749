import { parsedWith } from '@canaduck/config';
import { z } from 'zod';

/** IRC-like nickname: a letter first, then letters, digits or `_-[]\^{}|`; 30 at most. */
export const PSEUDO_PATTERN = /^[A-Za-z][A-Za-z0-9_\-[\]\\^{}|]{0,29}$/;

/** Channel names: `[a-z0-9_-]`, 1 to 50 characters, after lower-casing and dropping one leading `#`. */
export const CHANNEL_PATTERN = /^[a-z0-9_-]{1,50}$/;

export function isValidPseudo(value: string): boolean {
  return PSEUDO_PATTERN.test(value);
}

/** Pseudos are unique case-insensitively: this is the key they are stored and compared under. */
export function pseudoKey(pseudo: string): string {
  return pseudo.toLowerCase();
}

/** Normalises a channel name (`#Tech` -> `tech`); returns null when it breaks the rules. */
export function normalizeChannel(value: string): string | null {
  const name = value.trim().replace(/^#/, '').toLowerCase();
  return CHANNEL_PATTERN.test(name) ? name : null;
}

export const pseudoSchema = z
  .string()
  .regex(PSEUDO_PATTERN, 'a pseudo starts with a letter and has at most 30 letters, digits or _-[]\\^{}|');

export const channelSchema = z
  .string()
  .transform(parsedWith(normalizeChannel, 'a channel name has 1 to 50 characters among a-z, 0-9, _ and - (a leading # is allowed)'));
