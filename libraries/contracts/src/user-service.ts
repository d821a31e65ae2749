// Internal routes served by user-service (structures.md section 5): request and answer shapes, one definition for callee and callers.
import { z } from 'zod';

/**
 * A pseudo as structures.md section 3 defines it. The same rule as service-kit's PSEUDO_PATTERN,
 * repeated here because contracts depends on zod alone (it builds before service-kit).
 */
const pseudo = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_\-[\]\\^{}|]{0,29}$/, 'a pseudo starts with a letter and has at most 30 letters, digits or _-[]\\^{}|');

/** The most pseudos one activity report may carry. */
export const ACTIVITY_MAX_PSEUDOS = 1000;

/** `GET /internal/users/<pseudo>` answer (200); unknown or deleted users are a 404 `user_not_found`. */
export const internalUserAnswerSchema = z.object({
  pseudo: z.string().describe('the stored form of the pseudo'),
  roles: z.array(z.string()).describe('global roles, `user` first'),
  status: z.string().describe('`offline` once the user is not seen within PRESENCE_TIMEOUT'),
});
export type InternalUserAnswer = z.infer<typeof internalUserAnswerSchema>;

/** `POST /internal/activity` body: the gateway's batch of users seen, `at` defaulting to now. */
export const activityReportSchema = z.object({
  pseudos: z.array(pseudo).max(ACTIVITY_MAX_PSEUDOS, `at most ${ACTIVITY_MAX_PSEUDOS} pseudos per batch`),
  at: z.string().datetime({ offset: true, message: 'at must be an ISO 8601 date' }).optional(),
});
export type ActivityReport = z.infer<typeof activityReportSchema>;

/** `POST /internal/activity` answer (200): how many accounts' last_seen moved forward. */
export const activityRecordedSchema = z.object({
  result: z.literal('activity recorded'),
  updated: z.number().int().min(0).describe('accounts whose last_seen moved'),
});
export type ActivityRecorded = z.infer<typeof activityRecordedSchema>;

/**
 * `GET /internal/users/<pseudo>/token-state` answer (200): what a service needs to judge a token
 * when its revocation map is stale (the user stream unreachable). Deleted accounts answer 200 with
 * `deleted: true`; a pseudo never registered is a 404 `user_not_found`.
 */
export const userTokenStateSchema = z.object({
  pseudo: z.string().describe('the stored form of the pseudo'),
  deleted: z.boolean().describe('the account is deleted: every token of it is dead'),
  roles: z.array(z.string()).describe('current global roles (none once deleted)'),
  revoked_before: z
    .string()
    .nullable()
    .describe('ISO time: tokens issued (iat) before it are dead (logout, password or role change, deletion); null when none'),
});
export type UserTokenState = z.infer<typeof userTokenStateSchema>;

/** The door instance holding a guest's connection (IRC_INSTANCE_ID): only it renews the guest's lease. */
const guestOwner = z.string().min(1).max(100).describe("the door instance holding the guest's connection");
/** How long a guest lives without its door renewing the lease. */
const leaseSeconds = z.number().int().min(1).max(3600).describe('the lease: the guest expires this long after creation or renewal');

/** The most guests one lease renewal may carry. */
export const GUEST_LEASE_MAX_PSEUDOS = 1000;

/** `POST /internal/guests` body (the IRC door, IRC_GUESTS): a temporary account under a free pseudo. */
export const guestRequestSchema = z.object({
  pseudo,
  password: z.string().min(16).max(200).describe('chosen by the door (random), to renew the token through POST /login'),
  owner: guestOwner,
  lease_seconds: leaseSeconds,
});
export type GuestRequest = z.infer<typeof guestRequestSchema>;

/** `POST /internal/guests` answer (201): the guest's token, as POST /login answers. */
export const guestCreatedSchema = z.object({
  token: z.string(),
  expires_in: z.number().int().positive(),
  user: z.object({ pseudo: z.string(), roles: z.array(z.string()), status: z.string() }).passthrough(),
});
export type GuestCreated = z.infer<typeof guestCreatedSchema>;

/** `DELETE /internal/guests/<pseudo>` answer (200); 404 `user_not_found` when no guest has that pseudo. */
export const guestDeletedSchema = z.object({ result: z.string() });
export type GuestDeleted = z.infer<typeof guestDeletedSchema>;

/** `POST /internal/guests/leases` body: the door renews the leases of the guests it still holds. */
export const guestLeaseRenewalSchema = z.object({
  owner: guestOwner,
  lease_seconds: leaseSeconds,
  pseudos: z.array(z.string().max(64)).max(GUEST_LEASE_MAX_PSEUDOS),
});
export type GuestLeaseRenewal = z.infer<typeof guestLeaseRenewalSchema>;

/** Its answer (200): the guests whose lease this owner held and renewed; the others are lost to it. */
export const guestLeasesRenewedSchema = z.object({ renewed: z.array(z.string()) });
export type GuestLeasesRenewed = z.infer<typeof guestLeasesRenewedSchema>;

/**
 * `POST /internal/guests/expired` body: a door claims guests whose lease ran out (their door died),
 * to make them leave their channels and delete them; `reclaim_own` also claims this owner's guests
 * whatever their lease (a door starting again under the same instance id holds none of them).
 */
export const guestClaimSchema = z.object({
  owner: guestOwner,
  lease_seconds: leaseSeconds,
  reclaim_own: z.boolean().default(false),
  limit: z.number().int().min(1).max(200).default(50),
});
export type GuestClaim = z.infer<typeof guestClaimSchema>;

/** Its answer (200): each claimed guest with a token of theirs (to part their channels), now leased to the claimer. */
export const guestsClaimedSchema = z.object({
  guests: z.array(z.object({ pseudo: z.string(), token: z.string() })),
});
export type GuestsClaimed = z.infer<typeof guestsClaimedSchema>;
