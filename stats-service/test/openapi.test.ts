import { bearer, testDatabases, uniqueName } from '@canaduck/testing';
import { activeChannelsAnswer, hourlyActivityAnswer, messagesPerUserAnswer, topReactedMessagesAnswer } from '../src/routes/schemas';
import { useStatsService } from './support';

const admin = bearer('boss', ['user', 'admin']);
let nextId = 5000;
const id = () => ++nextId;

describe.each(testDatabases())('OpenAPI description (%s)', (kind) => {
  const stats = useStatsService(kind);
  const { sync, get } = stats;

  it('when each route answers, then its body is exactly the documented answer schema', async () => {
    const ch = uniqueName('ch');
    stats.fake.channel(ch);
    const m = id();
    stats.fake.created(m, 'roger', { channel: ch });
    stats.fake.created(id(), 'roger', { to: 'ginette' });
    stats.fake.react(m, 'ginette');
    await sync();
    const cases = [
      ['/stats/active-channels?since=2026-01-01T00:00:00Z', activeChannelsAnswer],
      ['/stats/hourly-activity?include_private=true', hourlyActivityAnswer],
      ['/stats/messages-per-user?include_private=true', messagesPerUserAnswer],
      ['/stats/top-reacted-messages?include_private=true', topReactedMessagesAnswer],
    ] as const;
    for (const [path, schema] of cases) {
      const res = await get(path, admin);
      expect(res.status).toBe(200);
      expect(schema.safeParse(res.body).error?.issues).toBeUndefined();
    }
  });

  it('when /openapi.json is read, then the four stats routes are documented', async () => {
    const res = await get('/openapi.json');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining([
        '/stats/active-channels',
        '/stats/hourly-activity',
        '/stats/messages-per-user',
        '/stats/top-reacted-messages',
      ]),
    );
    const ok = res.body.paths['/stats/top-reacted-messages'].get.responses[200];
    expect(ok.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/TopReactedMessages' });
    expect(res.body.components.schemas.TopReactedMessages.properties.messages.items.required).toEqual(
      expect.arrayContaining(['id', 'channel', 'from', 'text', 'reactions_count']),
    );
  });
});
