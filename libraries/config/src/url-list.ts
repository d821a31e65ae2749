import { z } from 'zod';

/** The addresses of a comma-separated list (`http://a:5002, http://b:5002`), blanks dropped. */
export function splitUrlList(value: string | readonly string[]): string[] {
  const parts = typeof value === 'string' ? value.split(',') : value;
  return parts.map((s) => s.trim()).filter(Boolean);
}

function isUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * A service's address, or the addresses of its replicas comma-separated (the outbound clients
 * go round robin over them and pass over one that refuses connections). Stays one string, so
 * that a single address reads as before; `splitUrlList` gives the addresses.
 */
export const urlList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .refine((v) => splitUrlList(v).length > 0 && splitUrlList(v).every(isUrl), 'expected a URL or a comma-separated list of URLs')
    .transform((v) => splitUrlList(v).join(','));
