/** Shapes of the public answers the door reads (structures.md sections 4 and 6). */
export interface ErrorBody {
  error?: string;
  code?: string;
}

/** A 2xx answer or a refusal: the status and code decide the IRC numeric. */
export interface Answer<T> {
  status: number;
  data: T & ErrorBody;
}

export interface LoginAnswer {
  token: string;
  expires_in: number;
  user: { pseudo: string; roles: string[] };
}

export interface Whois {
  pseudo: string;
  status: string;
  roles: string[];
  channels: string[] | null;
  last_seen: string | null;
}

export interface ChannelConfig {
  name: string;
  private: boolean;
  topic: string | null;
  owner: string;
  moderators: string[];
  invited: string[];
  banned: Array<{ pseudo: string; reason: string | null; by: string | null; at: string }>;
  modes: string[];
  members_count: number;
  created_at: string;
}

export interface ChannelUser {
  pseudo: string;
  role: 'owner' | 'moderator' | 'member';
}

export interface ChannelListEntry {
  name: string;
  topic: string | null;
  private: boolean;
  modes: string[];
  members_count: number;
}

/** The public message object, as message-service answers it. */
export type { Message } from '@canaduck/contracts';
