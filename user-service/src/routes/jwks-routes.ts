import { Router } from 'express';
import { NotFoundError } from '@canaduck/errors';
import type { ApiDocs } from '@canaduck/service-kit';
import type { Jwks } from '../domain/jwks';
import { jwksSchema } from './schemas';

export interface JwksRoutesDeps {
  /** null with HS256: a shared secret is never published. */
  jwks: Jwks | null;
  docs: ApiDocs;
}

/** The public signing key, for the other services and anyone verifying tokens. */
export function jwksRoutes({ jwks, docs }: JwksRoutesDeps): Router {
  const router = Router();

  docs.route({
    method: 'get',
    path: '/.well-known/jwks.json',
    tags: ['tokens'],
    summary: 'Public key of user tokens (RS256 or EdDSA mode)',
    description: 'With HS256 (the default) there is no public key: 404.',
    responses: {
      200: { description: 'JSON Web Key Set', schema: jwksSchema },
      404: 'HS256 mode: no public key',
    },
  });
  router.get('/.well-known/jwks.json', (_req, res) => {
    if (!jwks) throw new NotFoundError('no public key: tokens are signed with HS256', 'jwks_not_available');
    res.set('Cache-Control', 'public, max-age=300').json(jwks);
  });

  return router;
}
