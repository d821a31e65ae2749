import fs from 'node:fs';
import path from 'node:path';
import { Parser, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { EVENT_TYPES } from '../src/event-types';

const file = path.join(__dirname, '../../../asyncapi.yaml');

describe('asyncapi.yaml', () => {
  let document: AsyncAPIDocumentInterface | undefined;
  let diagnostics: Diagnostic[];
  beforeAll(async () => {
    ({ document, diagnostics } = await new Parser().parse(fs.readFileSync(file, 'utf8')));
  });

  it('when parsed with @asyncapi/parser, then it is a valid AsyncAPI 3.0 document without errors', () => {
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join('.')}: ${d.message}`);
    expect(errors).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
  });

  it('when compared with the library type list, then every event type has a message and none is extra', () => {
    const names = document!
      .allMessages()
      .all()
      .map((m) => m.name());
    expect([...new Set(names)].sort()).toEqual([...EVENT_TYPES].sort());
  });

  it('when a message is a revoking user event, then its payload requires revoked_before', () => {
    const deleted = document!
      .allMessages()
      .all()
      .find((m) => m.name() === 'user.deleted');
    const data = deleted!.payload()!.properties()!.data;
    expect(data.required()).toEqual(expect.arrayContaining(['pseudo', 'revoked_before']));
  });
});
