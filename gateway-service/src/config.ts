import { commonShape, port } from '@canaduck/config';

/** Environment of the gateway-service; see the README's configuration table. */
export const configShape = {
  ...commonShape,
  PORT: port(5004),
};
