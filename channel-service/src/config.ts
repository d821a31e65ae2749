import { commonShape, port } from '@canaduck/config';

/** Environment of the channel-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5003),
};
