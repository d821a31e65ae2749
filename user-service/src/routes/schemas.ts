import { z } from 'zod';
import { pseudoSchema } from '@canaduck/service-kit';
import { PASSWORD_MAX_BYTES, PASSWORD_MIN_BYTES, passwordByteLength } from '../domain/passwords';
import { ROLES } from '../domain/user-directory';

/*
 * The zod schemas of user-service's bodies and answers: routes validate requests with them and
 * describe both requests and answers with them (ApiDocs), so the document cannot drift from the code.
 * The internal routes' shapes live in @canaduck/contracts.
 */

// Requests.

export const passwordSchema = z
  .string()
  .describe('8 to 72 bytes (UTF-8)')
  .refine((p) => passwordByteLength(p) >= PASSWORD_MIN_BYTES, `a password has at least ${PASSWORD_MIN_BYTES} bytes`)
  .refine((p) => passwordByteLength(p) <= PASSWORD_MAX_BYTES, `a password has at most ${PASSWORD_MAX_BYTES} bytes (bcrypt's limit)`);

export const emailSchema = z.string().trim().max(254, 'an email address has at most 254 characters').email('not a valid email address');

export const registerSchema = z.object({
  pseudo: pseudoSchema.openapi({ example: 'roger' }),
  password: passwordSchema.openapi({ example: 'correct horse battery' }),
  email: emailSchema.openapi({ example: 'roger@canaduck.example', format: 'email' }),
});

/** Login never says which part was wrong: any string is accepted here and checked as a whole. */
export const loginSchema = z.object({
  pseudo: z.string().openapi({ example: 'roger' }),
  password: z.string().openapi({ example: 'correct horse battery' }),
});

export const passwordChangeSchema = z.object({
  old_password: z.string(),
  new_password: passwordSchema.describe('8 to 72 bytes, different from the old one'),
});

export const STATUS_WORDS = ['online', 'away', 'idle', 'busy', 'offline'] as const;
export const STATUS_MAX_CHARS = 64;

// Control characters would break logs and terminals that show statuses.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// A lone surrogate (JSON allows `"\ud800"`) is no character at all: it cannot be stored as UTF-8.
const LONE_SURROGATE = /\p{Cs}/u;

export const statusSchema = z.object({
  status: z
    .string()
    .trim()
    .min(1, 'a status cannot be empty')
    .refine((s) => [...s].length <= STATUS_MAX_CHARS, `a status has at most ${STATUS_MAX_CHARS} characters`)
    .refine((s) => !CONTROL_CHARS.test(s), 'a status cannot contain control characters')
    .refine((s) => !LONE_SURROGATE.test(s), 'a status must be valid Unicode text (no lone surrogate)')
    // The five words are stored lower-case so that `Away` means away.
    .transform((s) => ((STATUS_WORDS as readonly string[]).includes(s.toLowerCase()) ? s.toLowerCase() : s))
    .openapi({ example: 'away', description: 'online, away, idle, busy, offline, or a free text of 1 to 64 characters' }),
});

export const roleSchema = z.enum(ROLES, { errorMap: () => ({ message: `a role is one of: ${ROLES.join(', ')}` }) });

export const grantRoleSchema = z.object({ role: z.string().pipe(roleSchema) });

export const AVATAR_MAX_BYTES = 64 * 1024;
export const AVATAR_URL_MAX_CHARS = 2048;
const DATA_URI = /^data:image\/(png|svg\+xml);base64,([A-Za-z0-9+/]*={0,2})$/;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Why an avatar value is refused, or null when it is acceptable. */
export function avatarProblem(value: string): string | null {
  if (value.startsWith('data:')) {
    const match = DATA_URI.exec(value);
    if (!match || match[2].length % 4 !== 0) return 'a data URI avatar must be data:image/png;base64,... or data:image/svg+xml;base64,...';
    const bytes = Buffer.from(match[2], 'base64');
    if (bytes.length === 0) return 'the avatar image is empty';
    if (bytes.length > AVATAR_MAX_BYTES) return `the avatar image is larger than ${AVATAR_MAX_BYTES / 1024} KB`;
    if (match[1] === 'png' && !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return 'the avatar data is not a PNG image';
    if (match[1] === 'svg+xml' && !/<svg[\s>]/i.test(bytes.toString('utf8'))) return 'the avatar data is not an SVG image';
    return null;
  }
  if (value.length > AVATAR_URL_MAX_CHARS) return `an avatar URL has at most ${AVATAR_URL_MAX_CHARS} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'avatar_url must be an http(s) URL or an image data URI';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'avatar_url must be an http(s) URL or an image data URI';
  if (url.username || url.password) return 'an avatar URL cannot carry credentials';
  if (/\s/.test(value)) return 'an avatar URL cannot contain spaces';
  return null;
}

/** `null` goes back to the generated identicon. */
export const avatarSchema = z.object({
  avatar_url: z
    .string()
    .nullable()
    .superRefine((v, ctx) => {
      const problem = v === null ? null : avatarProblem(v);
      if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
    })
    .openapi({
      example: 'https://example.org/roger.png',
      description:
        'an http(s) URL (2048 characters at most), a data:image/png;base64 or data:image/svg+xml;base64 URI of at most 64 KB, or null for the identicon',
    }),
});

/** Path parameters: a pseudo in a path is matched case-insensitively (any string; unknown ones are a 404). */
export const pseudoParamsSchema = z.object({ pseudo: z.string().openapi({ example: 'roger' }) });
export const roleParamsSchema = pseudoParamsSchema.extend({ role: roleSchema });

export const isonQuerySchema = z.object({
  users: z.string().openapi({ example: 'roger,ginette', description: 'comma-separated pseudos, at most 100' }),
});

// Answers.
const pseudoField = z.string().openapi({ example: 'roger' });
const lastSeen = z.string().datetime().nullable().describe('null for a user never seen');

/** structures.md section 4. */
export const userSchema = z.object({
  pseudo: pseudoField,
  email: z.string().optional().openapi({ example: 'roger@canaduck.example', description: 'only to the user themself or an admin' }),
  status: z.string().openapi({ example: 'online' }),
  roles: z.array(z.enum(ROLES)).openapi({ example: ['user'] }),
  last_seen: lastSeen,
  avatar_url: z.string().openapi({ example: 'data:image/svg+xml;base64,...' }),
  created_at: z.string().datetime(),
});

export const loginAnswerSchema = z.object({
  token: z.string(),
  expires_in: z.number().int().openapi({ example: 3600, description: 'seconds' }),
  user: userSchema,
});

/** structures.md section 4. */
export const whoisSchema = z.object({
  pseudo: pseudoField,
  status: z.string().openapi({ example: 'online' }),
  roles: z.array(z.string()).openapi({ example: ['user'] }),
  channels: z
    .array(z.string())
    .nullable()
    .openapi({ example: ['general', 'tech'], description: 'null when channel-service cannot tell' }),
  channels_unavailable: z.literal(true).optional().describe('present (true) only when channels is null'),
  last_seen: lastSeen,
  avatar_url: z.string(),
});

export const avatarAnswerSchema = z.object({
  pseudo: pseudoField,
  avatar_url: z.string().openapi({ example: 'https://example.org/roger.png' }),
});

export const rolesAnswerSchema = z.object({ pseudo: pseudoField, roles: z.array(z.enum(ROLES)).openapi({ example: ['user', 'admin'] }) });

export const resultSchema = z.object({ result: z.string().openapi({ example: 'logged out' }) });

export const seenAnswerSchema = z.object({ pseudo: pseudoField, last_seen: lastSeen });

export const isonAnswerSchema = z.object({ online: z.array(z.string()).openapi({ example: ['roger'] }) });

export const statusAnswerSchema = z.object({ pseudo: pseudoField, status: z.string().openapi({ example: 'away' }) });

/** A JSON Web Key Set (RFC 7517) of the public signing key. */
export const jwksSchema = z.object({
  keys: z.array(
    z
      .object({ kty: z.string(), kid: z.string(), alg: z.string(), use: z.literal('sig') })
      .passthrough()
      .describe('a public JWK: n and e (RSA) or crv and x (OKP)'),
  ),
});
