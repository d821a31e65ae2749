import type { SourceService } from './types';

/**
 * Names shared by the relay and the NATS transport. `namespace` (default `canaduck`) lets tests
 * and parallel stacks use their own streams on one server: stream `<NS>_EVENTS_<SERVICE>`,
 * subjects `<ns>.events.<service>.<type>`.
 */
export function natsStreamName(service: SourceService, namespace = 'canaduck'): string {
  return `${namespace}_EVENTS_${service}`.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
}

export function natsSubjectPrefix(service: SourceService, namespace = 'canaduck'): string {
  return `${namespace.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}.events.${service}`;
}

/**
 * The scrubbed copies of events whose original the relay deleted from the events stream (a
 * deleted message's text): stream `<NS>_SCRUBBED_<SERVICE>`, one subject per seq
 * `<ns>.scrubbed.<service>.<seq>`, so a consumer that finds a seq missing looks it up by subject.
 */
export function natsScrubStreamName(service: SourceService, namespace = 'canaduck'): string {
  return `${namespace}_SCRUBBED_${service}`.toUpperCase().replace(/[^A-Z0-9_-]/g, '_');
}

export function natsScrubSubject(service: SourceService, seq: number | '*', namespace = 'canaduck'): string {
  return `${namespace.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}.scrubbed.${service}.${seq}`;
}

export function natsMsgId(service: SourceService, seq: number): string {
  return `${service}:${seq}`;
}

export const msToNanos = (ms: number): number => Math.round(ms * 1_000_000);
