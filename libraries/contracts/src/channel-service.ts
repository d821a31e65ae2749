// Internal routes served by channel-service (structures.md section 5): request and answer shapes, one definition for callee and callers.
export {};
