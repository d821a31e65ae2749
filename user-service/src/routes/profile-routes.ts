import { Router, type RequestHandler } from 'express';
import { requireAuth } from '@canaduck/auth';
import { parseInput, type ApiDocs } from '@canaduck/service-kit';
import type { ProfileService } from '../domain/profile-service';
import { callerOf, metaOf, param } from './route-helpers';
import { avatarAnswerSchema, avatarSchema, pseudoParamsSchema, whoisSchema } from './schemas';

export interface ProfileRoutesDeps {
  profiles: ProfileService;
  authenticate: RequestHandler;
  docs: ApiDocs;
}

/** Public profile and avatars. */
export function profileRoutes({ profiles, authenticate, docs }: ProfileRoutesDeps): Router {
  const router = Router();
  const whois = docs.schema('Whois', whoisSchema);
  const avatar = docs.schema('Avatar', avatarAnswerSchema);
  const tags = ['profile'];

  docs.route({
    method: 'get',
    path: '/whois/:pseudo',
    tags,
    auth: 'optional-user',
    summary: "A user's public information",
    description:
      'channels: the public channels the user is in, asked to channel-service with a short timeout; null with channels_unavailable true when it cannot answer. Never the email.',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Whois', schema: whois },
      401: 'An invalid token was sent',
      404: 'Unknown or deleted user',
    },
  });
  router.get('/whois/:pseudo', authenticate, async (req, res) => {
    res.json(await profiles.whois(param(req, 'pseudo'), metaOf(req).requestId));
  });

  docs.route({
    method: 'get',
    path: '/user/avatar/:pseudo',
    tags,
    auth: 'optional-user',
    summary: "A user's avatar URL, or the generated identicon",
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Avatar', schema: avatar },
      401: 'An invalid token was sent',
      404: 'Unknown or deleted user',
    },
  });
  router.get('/user/avatar/:pseudo', authenticate, async (req, res) => {
    res.json(await profiles.getAvatar(param(req, 'pseudo')));
  });

  docs.route({
    method: 'post',
    path: '/user/avatar',
    tags,
    auth: 'user',
    summary: "Set the caller's avatar",
    body: avatarSchema,
    responses: {
      200: { description: 'Avatar', schema: avatar },
      400: 'avatar_url missing or not a string',
      401: 'No or bad token, or deleted account',
      422: 'Not an http(s) URL or accepted image, or too large',
    },
  });
  router.post('/user/avatar', authenticate, requireAuth(), async (req, res) => {
    const { avatar_url } = parseInput(avatarSchema, req.body);
    res.json(await profiles.setAvatar(callerOf(req), avatar_url));
  });

  return router;
}
