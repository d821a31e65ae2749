/** Shared OpenAPI schemas of the user-service (structures.md section 4). */
export const openapiSchemas: Record<string, unknown> = {
  User: {
    type: 'object',
    properties: {
      pseudo: { type: 'string', example: 'roger' },
      email: { type: 'string', example: 'roger@canaduck.example', description: 'only to the user themself' },
      status: { type: 'string', example: 'online' },
      roles: { type: 'array', items: { type: 'string', enum: ['user', 'admin'] }, example: ['user'] },
      last_seen: { type: 'string', format: 'date-time', nullable: true },
      avatar_url: { type: 'string', example: 'data:image/svg+xml;base64,...' },
      created_at: { type: 'string', format: 'date-time' },
    },
  },
  Whois: {
    type: 'object',
    properties: {
      pseudo: { type: 'string', example: 'roger' },
      status: { type: 'string', example: 'online' },
      roles: { type: 'array', items: { type: 'string' }, example: ['user'] },
      channels: { type: 'array', items: { type: 'string' }, nullable: true, example: ['general', 'tech'] },
      channels_unavailable: { type: 'boolean', description: 'present (true) only when channels is null' },
      last_seen: { type: 'string', format: 'date-time', nullable: true },
      avatar_url: { type: 'string' },
    },
  },
  Avatar: {
    type: 'object',
    properties: { pseudo: { type: 'string', example: 'roger' }, avatar_url: { type: 'string', example: 'https://example.org/roger.png' } },
  },
  Roles: {
    type: 'object',
    properties: {
      pseudo: { type: 'string', example: 'roger' },
      roles: { type: 'array', items: { type: 'string', enum: ['user', 'admin'] } },
    },
  },
  Result: { type: 'object', properties: { result: { type: 'string', example: 'logged out' } } },
};
