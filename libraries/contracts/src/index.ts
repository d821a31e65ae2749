export * from './user-service';
export * from './channel-service';
export * from './message-service';
