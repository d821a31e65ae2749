import { commonShape, port } from '@canaduck/config';

/** Environment of the message-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5002),
};
