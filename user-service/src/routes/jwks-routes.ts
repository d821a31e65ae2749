import { Router } from 'express';
import { NotFoundError } from '@canaduck/errors';
import type { Jwks } from '../domain/jwks';

/** The public signing key, for the other services and anyone verifying tokens. */
export function jwksRoutes(jwks: Jwks | null): Router {
  const router = Router();

  /**
   * @openapi
   * /.well-known/jwks.json:
   *   get:
   *     tags: [tokens]
   *     summary: Public key of user tokens (RS256 or EdDSA mode)
   *     description: 'With HS256 (the default) there is no public key: 404.'
   *     responses:
   *       200:
   *         description: 'JSON Web Key Set'
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 keys: { type: array, items: { type: object, properties: { kty: { type: string }, kid: { type: string }, alg: { type: string }, use: { type: string } } } }
   *       404: { description: 'HS256 mode: no public key', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/.well-known/jwks.json', (_req, res) => {
    if (!jwks) throw new NotFoundError('no public key: tokens are signed with HS256', 'jwks_not_available');
    res.set('Cache-Control', 'public, max-age=300').json(jwks);
  });

  return router;
}
