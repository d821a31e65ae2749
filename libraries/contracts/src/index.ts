export * from './user-service';
export * from './channel-service';
export * from './channel-events';
export * from './message-service';
export * from './internal-callers';
export * from './channel-texts';
