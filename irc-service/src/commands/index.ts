import { channelCommands } from './channel-commands';
import type { CommandFamily } from './command';
import { historyCommands } from './history-commands';
import { messageCommands } from './message-commands';
import { modeCommands } from './mode-commands';
import { operatorCommands } from './operators';
import { serverQueries } from './server-queries';
import { registrationCommands } from './registration';
import { userCommands } from './user-commands';

/** Every command the door understands, by upper-cased name. */
export function commandTable(): CommandFamily {
  return {
    ...registrationCommands,
    ...channelCommands,
    ...modeCommands,
    ...messageCommands,
    ...userCommands,
    ...historyCommands,
    ...operatorCommands,
    ...serverQueries,
  };
}
