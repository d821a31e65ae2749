import type { Express } from 'express';
import { channelSchema, parseInput, parsePaging, single } from '@canaduck/service-kit';
import { z } from 'zod';
import type { SearchService } from '../domain/search-service';
import { actorOf } from './route-helpers';

const searchQuery = z.object({
  q: z.string().refine((s) => s.trim().length >= 1 && s.trim().length <= 200, 'q must have 1 to 200 characters'),
  channel: channelSchema.optional(),
});

export function searchRoutes(app: Express, search: SearchService): void {
  /**
   * @openapi
   * /msg/search:
   *   get:
   *     summary: Full-text search in the messages the caller may read, newest first
   *     description: >
   *       Every word of q must appear. Words of 3+ letters/digits use the full-text index as prefixes
   *       ("moteur" finds "moteurs"); other words (short ones, stopwords, anything with punctuation,
   *       % or _) are matched literally as substrings. Without channel, searches public channels,
   *       private channels the caller is in, and the caller's private conversations.
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: query, name: q, required: true, schema: { type: string, maxLength: 200 } }
   *       - { in: query, name: channel, schema: { type: string } }
   *       - { in: query, name: offset, schema: { type: integer, default: 0 } }
   *       - { in: query, name: limit, schema: { type: integer, default: 50, maximum: 200 } }
   *     responses:
   *       200: { description: "{ messages, offset, limit, next_offset }" }
   *       400: { description: 'Missing q, bad paging' }
   *       401: { description: No or invalid token }
   *       403: { description: channel given and not readable by the caller }
   *       404: { description: channel given and unknown }
   *       422: { description: 'q blank or over 200 characters, bad channel syntax' }
   *       503: { description: channel-service unavailable }
   */
  app.get('/msg/search', async (req, res) => {
    const q = parseInput(searchQuery, { q: single(req.query.q), channel: single(req.query.channel) }, 'query');
    const { offset, limit } = parsePaging(req.query);
    res.json(await search.find(actorOf(req), q.q, q.channel, offset, limit));
  });
}
