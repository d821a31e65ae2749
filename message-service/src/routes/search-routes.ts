import { Router } from 'express';
import { type ApiDocs, parseQuery, userRouteMounter } from '@canaduck/service-kit';
import type { SearchService } from '../domain/search-service';
import { actorOf, pageFrom } from './route-helpers';
import { type AnswerSchemas, cursorQuery, searchQuery } from './schemas';

export interface SearchRoutesDeps {
  search: SearchService;
  docs: ApiDocs;
  answers: AnswerSchemas;
}

export function searchRoutes({ search, docs, answers }: SearchRoutesDeps): Router {
  const router = Router();
  const route = userRouteMounter({ router, docs });

  route(
    {
      method: 'get',
      path: '/msg/search',
      summary: 'Full-text search in the messages the caller may read, newest first',
      description:
        'Every word of q must appear. Words of 3+ letters/digits use the full-text index as prefixes ("moteur" finds "moteurs"); ' +
        'other words (short ones, stopwords, anything with punctuation, % or _) are matched literally as substrings. Without ' +
        "channel, searches public channels, private channels the caller is in, and the caller's private conversations.",
      query: searchQuery.merge(cursorQuery),
      responses: {
        200: { description: 'A page of matching messages', schema: answers.messagePage },
        400: 'Missing q, bad paging, offset + limit over SEARCH_MAX_WINDOW (search_too_deep: page on with before)',
        403: 'channel given and not readable by the caller',
        404: 'channel given and unknown',
        422: 'q blank or over 200 characters, bad channel syntax',
        503: 'channel-service unavailable',
      },
    },
    async (req, res) => {
      const { q, channel } = parseQuery(searchQuery, req.query);
      res.json(await search.find(actorOf(req), q, channel, pageFrom(req.query)));
    },
  );

  return router;
}
