import { Router } from 'express';
import { z } from 'zod';
import { type ApiDocs, channelSchema, parseQuery, pseudoSchema } from '@canaduck/service-kit';
import type { Clients } from '../clients';
import { getFullInfo } from '../domain/fullinfo-service';

const querySchema = z.object({
  user: pseudoSchema.openapi({ example: 'roger' }),
  channel: channelSchema.openapi({ example: 'tech' }),
});

const fullInfoSchema = z
  .object({
    user: z.record(z.unknown()).nullable(),
    channel: z.record(z.unknown()).nullable(),
    last_messages: z.array(z.record(z.unknown())).nullable(),
    errors: z.record(z.string()).optional(),
  })
  .openapi({
    example: {
      user: { pseudo: 'roger', status: 'online', roles: ['user'], channels: ['tech'], last_seen: '2026-11-24T17:00:00.000Z' },
      channel: null,
      last_messages: [{ id: 42, channel: 'tech', from: 'roger', text: 'hello' }],
      errors: { channel: 'channel-service unavailable' },
    },
  });

/** `GET /fullinfo`: a user's whois, a channel's config and its last messages, in one answer. */
export function fullinfoRoutes(docs: ApiDocs, clients: Clients, messagesLimit: number): Router {
  const router = Router();
  docs.route({
    method: 'get',
    path: '/fullinfo',
    tags: ['gateway'],
    auth: 'user',
    summary: "A user's whois, a channel's config and its last messages, in one answer",
    description:
      "The three calls go in parallel with the caller's token, so each service applies its own rules (a private channel " +
      'stays hidden from non-members). A part that fails is null and explained in `errors`; the others still come back with 200.',
    query: querySchema,
    responses: {
      200: { description: 'What could be gathered', schema: docs.schema('FullInfo', fullInfoSchema) },
      400: 'user or channel missing',
      401: 'no valid token',
      404: 'neither the user nor the channel exists',
      422: 'not a valid pseudo or channel name',
      503: 'no service could be reached',
    },
  });
  router.get('/fullinfo', async (req, res) => {
    // The caller's own token and request id go with each of the three calls.
    const caller = { authorization: req.headers.authorization ?? '', requestId: req.headers['x-request-id'] as string | undefined };
    res.json(await getFullInfo(clients, parseQuery(querySchema, req.query), caller, messagesLimit));
  });
  return router;
}
