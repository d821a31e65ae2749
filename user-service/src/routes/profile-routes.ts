import { Router, type RequestHandler } from 'express';
import { requireAuth } from '@canaduck/auth';
import { parseInput } from '@canaduck/service-kit';
import { getAvatar, setAvatar, whois } from '../domain/profile-service';
import type { UserContext } from '../domain/user-context';
import { avatarSchema } from '../domain/user-schemas';
import { callerOf, metaOf, param } from './route-helpers';

/** Public profile and avatars. */
export function profileRoutes(ctx: UserContext, authenticate: RequestHandler): Router {
  const router = Router();

  /**
   * @openapi
   * /whois/{pseudo}:
   *   get:
   *     tags: [profile]
   *     summary: A user's public information
   *     description: 'channels: the public channels the user is in, asked to channel-service with a short timeout; null with channels_unavailable true when it cannot answer. Never the email.'
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200: { description: 'Whois', content: { application/json: { schema: { $ref: '#/components/schemas/Whois' } } } }
   *       401: { description: 'An invalid token was sent', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/whois/:pseudo', authenticate, async (req, res) => {
    res.json(await whois(ctx, param(req, 'pseudo'), metaOf(req).requestId));
  });

  /**
   * @openapi
   * /user/avatar/{pseudo}:
   *   get:
   *     tags: [profile]
   *     summary: A user's avatar URL, or the generated identicon
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200: { description: 'Avatar', content: { application/json: { schema: { $ref: '#/components/schemas/Avatar' } } } }
   *       401: { description: 'An invalid token was sent', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/user/avatar/:pseudo', authenticate, async (req, res) => {
    res.json(await getAvatar(ctx, param(req, 'pseudo')));
  });

  /**
   * @openapi
   * /user/avatar:
   *   post:
   *     tags: [profile]
   *     summary: Set the caller's avatar
   *     security: [{ bearerAuth: [] }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [avatar_url]
   *             properties:
   *               avatar_url: { type: string, nullable: true, example: 'https://example.org/roger.png', description: 'an http(s) URL (2048 characters at most), a data:image/png;base64 or data:image/svg+xml;base64 URI of at most 64 KB, or null for the identicon' }
   *     responses:
   *       200: { description: 'Avatar', content: { application/json: { schema: { $ref: '#/components/schemas/Avatar' } } } }
   *       400: { description: 'avatar_url missing or not a string', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'No or bad token, or deleted account', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'Not an http(s) URL or accepted image, or too large', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/user/avatar', authenticate, requireAuth(), async (req, res) => {
    const { avatar_url } = parseInput(avatarSchema, req.body);
    res.json(await setAvatar(ctx, callerOf(req), avatar_url));
  });

  return router;
}
