import { Router, type RequestHandler } from 'express';
import { requireRole } from '@canaduck/auth';
import { parseInput } from '@canaduck/service-kit';
import { getRoles, grantRole, revokeRole } from '../domain/role-service';
import type { UserContext } from '../domain/user-context';
import { grantRoleSchema, roleSchema } from '../domain/user-schemas';
import { callerOf, metaOf, param } from './route-helpers';

/** Global roles, from the fixed set `user`, `admin`. */
export function roleRoutes(ctx: UserContext, authenticate: RequestHandler): Router {
  const router = Router();

  /**
   * @openapi
   * /user/roles/{pseudo}:
   *   get:
   *     tags: [roles]
   *     summary: A user's global roles
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200: { description: 'Roles', content: { application/json: { schema: { $ref: '#/components/schemas/Roles' } } } }
   *       401: { description: 'An invalid token was sent', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *   post:
   *     tags: [roles]
   *     summary: Grant a role (admins only)
   *     description: '201 when granted, 200 when the user already had it. Takes effect in tokens at the next login.'
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [role]
   *             properties:
   *               role: { type: string, enum: [user, admin] }
   *     responses:
   *       200: { description: 'Already held', content: { application/json: { schema: { $ref: '#/components/schemas/Roles' } } } }
   *       201: { description: 'Granted', content: { application/json: { schema: { $ref: '#/components/schemas/Roles' } } } }
   *       400: { description: 'role missing or not a string', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'No or bad token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       403: { description: 'The caller is not an admin', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'Unknown role', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.get('/user/roles/:pseudo', authenticate, async (req, res) => {
    res.json(await getRoles(ctx, param(req, 'pseudo')));
  });

  router.post('/user/roles/:pseudo', authenticate, requireRole('admin'), async (req, res) => {
    const { role } = parseInput(grantRoleSchema, req.body);
    const { added, ...roles } = await grantRole(ctx, callerOf(req), param(req, 'pseudo'), role, metaOf(req));
    res.status(added ? 201 : 200).json(roles);
  });

  /**
   * @openapi
   * /user/roles/{pseudo}/{role}:
   *   delete:
   *     tags: [roles]
   *     summary: Remove a role (admins only)
   *     description: 'The user role cannot be removed (422); the last admin keeps admin (409).'
   *     security: [{ bearerAuth: [] }]
   *     parameters:
   *       - { in: path, name: pseudo, required: true, schema: { type: string } }
   *       - { in: path, name: role, required: true, schema: { type: string, enum: [user, admin] } }
   *     responses:
   *       200: { description: 'Removed', content: { application/json: { schema: { $ref: '#/components/schemas/Roles' } } } }
   *       401: { description: 'No or bad token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       403: { description: 'The caller is not an admin', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown user, or a role the user does not have', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       409: { description: 'The last admin (code last_admin)', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'Unknown role, or the base role user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.delete('/user/roles/:pseudo/:role', authenticate, requireRole('admin'), async (req, res) => {
    const role = parseInput(roleSchema, param(req, 'role'), 'role');
    res.json(await revokeRole(ctx, callerOf(req), param(req, 'pseudo'), role, metaOf(req)));
  });

  /**
   * @openapi
   * /make-admin/{pseudo}:
   *   post:
   *     tags: [roles]
   *     summary: Make a user admin (admins only)
   *     description: 'Same as granting the admin role: 201 when granted, 200 when already admin.'
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200: { description: 'Already admin', content: { application/json: { schema: { $ref: '#/components/schemas/Roles' } } } }
   *       201: { description: 'Made admin', content: { application/json: { schema: { $ref: '#/components/schemas/Roles' } } } }
   *       401: { description: 'No or bad token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       403: { description: 'The caller is not an admin', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/make-admin/:pseudo', authenticate, requireRole('admin'), async (req, res) => {
    const { added, ...roles } = await grantRole(ctx, callerOf(req), param(req, 'pseudo'), 'admin', metaOf(req));
    res.status(added ? 201 : 200).json(roles);
  });

  return router;
}
