/** Schemas referenced by the routes' @openapi blocks (structures.md section 4 and 5). */
const str = { type: 'string' };
const bool = { type: 'boolean' };
const names = { type: 'array', items: str };

export const openapiSchemas: Record<string, unknown> = {
  Result: { type: 'object', properties: { result: { type: 'string', example: 'marcel joined #tech' } } },
  ChannelConfig: {
    type: 'object',
    properties: {
      name: { type: 'string', example: 'tech' },
      private: bool,
      topic: { type: 'string', example: 'dev talk' },
      owner: { type: 'string', example: 'roger' },
      moderators: names,
      invited: names,
      banned: {
        type: 'array',
        items: { type: 'object', properties: { pseudo: str, reason: str, by: str, at: { type: 'string', format: 'date-time' } } },
      },
      modes: { type: 'array', items: { type: 'string', enum: ['i', 'n', 'r', 's', 't'] }, example: ['n', 't'] },
      members_count: { type: 'integer' },
      created_at: { type: 'string', format: 'date-time' },
    },
  },
  ChannelList: {
    type: 'object',
    properties: {
      channels: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            name: str,
            topic: str,
            private: bool,
            modes: names,
            members_count: { type: 'integer' },
            created_at: { type: 'string', format: 'date-time' },
          },
        },
      },
      offset: { type: 'integer' },
      limit: { type: 'integer' },
      next_offset: { type: 'integer', nullable: true },
    },
  },
  UserList: {
    type: 'object',
    properties: {
      channel: str,
      users: {
        type: 'array',
        items: { type: 'object', properties: { pseudo: str, role: { type: 'string', enum: ['owner', 'moderator', 'member'] } } },
      },
      offset: { type: 'integer' },
      limit: { type: 'integer' },
      next_offset: { type: 'integer', nullable: true },
    },
  },
  Access: {
    type: 'object',
    properties: {
      channel: str,
      channel_id: { type: 'string', nullable: true, example: '6f1c2b0e9a7d4e21' },
      exists: bool,
      private: bool,
      secret: bool,
      member: bool,
      banned: bool,
      role: { type: 'string', nullable: true, enum: ['owner', 'moderator', 'member', null] },
      can_read: bool,
      can_post: bool,
      can_moderate: bool,
    },
  },
};
