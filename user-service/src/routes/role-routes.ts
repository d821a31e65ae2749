import { Router, type RequestHandler } from 'express';
import { requireRole } from '@canaduck/auth';
import { parseInput, type ApiDocs } from '@canaduck/service-kit';
import type { RoleService } from '../domain/role-service';
import { callerOf, metaOf, param } from './route-helpers';
import { grantRoleSchema, pseudoParamsSchema, roleParamsSchema, roleSchema, rolesAnswerSchema } from './schemas';

export interface RoleRoutesDeps {
  roles: RoleService;
  authenticate: RequestHandler;
  docs: ApiDocs;
}

/** Global roles, from the fixed set `user`, `admin`. */
export function roleRoutes({ roles, authenticate, docs }: RoleRoutesDeps): Router {
  const router = Router();
  const rolesAnswer = docs.schema('Roles', rolesAnswerSchema);
  const tags = ['roles'];

  docs.route({
    method: 'get',
    path: '/user/roles/:pseudo',
    tags,
    auth: 'optional-user',
    summary: "A user's global roles",
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Roles', schema: rolesAnswer },
      401: 'An invalid token was sent',
      404: 'Unknown or deleted user',
    },
  });
  router.get('/user/roles/:pseudo', authenticate, async (req, res) => {
    res.json(await roles.getRoles(param(req, 'pseudo')));
  });

  docs.route({
    method: 'post',
    path: '/user/roles/:pseudo',
    tags,
    auth: 'user',
    summary: 'Grant a role (admins only)',
    description: '201 when granted, 200 when the user already had it. Takes effect in tokens at the next login.',
    params: pseudoParamsSchema,
    body: grantRoleSchema,
    responses: {
      200: { description: 'Already held', schema: rolesAnswer },
      201: { description: 'Granted', schema: rolesAnswer },
      400: 'role missing or not a string',
      401: 'No or bad token',
      403: 'The caller is not an admin',
      404: 'Unknown or deleted user',
      422: 'Unknown role',
    },
  });
  router.post('/user/roles/:pseudo', authenticate, requireRole('admin'), async (req, res) => {
    const { role } = parseInput(grantRoleSchema, req.body);
    const { added, ...answer } = await roles.grantRole(callerOf(req), param(req, 'pseudo'), role, metaOf(req));
    res.status(added ? 201 : 200).json(answer);
  });

  docs.route({
    method: 'delete',
    path: '/user/roles/:pseudo/:role',
    tags,
    auth: 'user',
    summary: 'Remove a role (admins only)',
    description: 'The user role cannot be removed (422); the last admin keeps admin (409).',
    params: roleParamsSchema,
    responses: {
      200: { description: 'Removed', schema: rolesAnswer },
      401: 'No or bad token',
      403: 'The caller is not an admin',
      404: 'Unknown user, or a role the user does not have',
      409: 'The last admin (code last_admin)',
      422: 'Unknown role, or the base role user',
    },
  });
  router.delete('/user/roles/:pseudo/:role', authenticate, requireRole('admin'), async (req, res) => {
    const role = parseInput(roleSchema, param(req, 'role'), 'role');
    res.json(await roles.revokeRole(callerOf(req), param(req, 'pseudo'), role, metaOf(req)));
  });

  docs.route({
    method: 'post',
    path: '/make-admin/:pseudo',
    tags,
    auth: 'user',
    summary: 'Make a user admin (admins only)',
    description: 'Same as granting the admin role: 201 when granted, 200 when already admin.',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Already admin', schema: rolesAnswer },
      201: { description: 'Made admin', schema: rolesAnswer },
      401: 'No or bad token',
      403: 'The caller is not an admin',
      404: 'Unknown or deleted user',
    },
  });
  router.post('/make-admin/:pseudo', authenticate, requireRole('admin'), async (req, res) => {
    const { added, ...answer } = await roles.grantRole(callerOf(req), param(req, 'pseudo'), 'admin', metaOf(req));
    res.status(added ? 201 : 200).json(answer);
  });

  return router;
}
