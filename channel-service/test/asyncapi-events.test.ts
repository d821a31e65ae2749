import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { channelEventDataSchemas } from '@canaduck/contracts';
import { CHANNEL_EVENT_TYPES } from '@canaduck/events';

type DataSchema = { required: string[]; properties: Record<string, unknown> };
type Message = { name: string; payload: { properties: { data: DataSchema } } };

describe('asyncapi.yaml, channel events', () => {
  const doc = parse(fs.readFileSync(path.join(__dirname, '../../asyncapi.yaml'), 'utf8')) as {
    components: { messages: Record<string, Message> };
  };
  const messages = Object.values(doc.components.messages);

  it('when compared with the payload schemas channel-service writes with, then every type has the same fields, all required', () => {
    expect(Object.keys(channelEventDataSchemas).sort()).toEqual([...CHANNEL_EVENT_TYPES].sort());
    for (const type of CHANNEL_EVENT_TYPES) {
      const data = messages.find((m) => m.name === type)?.payload.properties.data;
      const fields = Object.keys(channelEventDataSchemas[type].shape).sort();
      expect({ type, required: [...(data?.required ?? [])].sort(), properties: Object.keys(data?.properties ?? {}).sort() }).toEqual({
        type,
        required: fields,
        properties: fields,
      });
    }
  });
});
