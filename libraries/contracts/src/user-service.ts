// Internal routes served by user-service (structures.md section 5): request and answer shapes, one definition for callee and callers.
export {};
