/** What every client receives: one frame per event (structures.md, "Real-time"). */
export interface Envelope {
  type: string;
  cursor: string;
  at: string;
  data: unknown;
}

/** Types the realtime-service emits itself (the others are the streams' event types). */
export const CONTROL_TYPES = ['heartbeat', 'resync_required', 'reconnect', 'closing', 'subscribed', 'unsubscribed', 'error'] as const;

/** Why a stream is closed by the server (the `closing` frame's `reason`). */
export type CloseReason = 'token_revoked' | 'token_expired' | 'slow_consumer' | 'server_shutdown' | 'access_unavailable';

export function envelope(type: string, cursor: string, data: unknown, at = new Date().toISOString()): Envelope {
  return { type, cursor, at, data };
}
