import { Router, type RequestHandler } from 'express';
import { requireAuth } from '@canaduck/auth';
import { parseInput } from '@canaduck/service-kit';
import { changePassword, deleteAccount, login, logout, register } from '../domain/account-service';
import type { UserContext } from '../domain/user-context';
import { loginSchema, passwordChangeSchema, registerSchema } from '../domain/user-schemas';
import { callerOf, metaOf, param } from './route-helpers';

/** Accounts: register, login, logout, password change, deletion. */
export function accountRoutes(ctx: UserContext, authenticate: RequestHandler): Router {
  const router = Router();

  /**
   * @openapi
   * /register:
   *   post:
   *     tags: [accounts]
   *     summary: Create an account
   *     description: Pseudo and email are unique case-insensitively, also against deleted accounts. Extra fields (roles...) are ignored.
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [pseudo, password, email]
   *             properties:
   *               pseudo: { type: string, example: roger, pattern: '^[A-Za-z][A-Za-z0-9_\-\[\]\\^{}|]{0,29}$' }
   *               password: { type: string, example: 'correct horse battery', description: '8 to 72 bytes (UTF-8)' }
   *               email: { type: string, format: email, example: roger@canaduck.example }
   *     responses:
   *       201: { description: 'The new user (with email)', content: { application/json: { schema: { $ref: '#/components/schemas/User' } } } }
   *       400: { description: 'Missing field or wrong type', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       409: { description: 'Pseudo or email taken (codes pseudo_taken, email_taken)', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'Bad pseudo syntax, email or password length', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/register', async (req, res) => {
    const input = parseInput(registerSchema, req.body);
    res.status(201).json(await register(ctx, input));
  });

  /**
   * @openapi
   * /login:
   *   post:
   *     tags: [accounts]
   *     summary: Log in and get a token
   *     description: Sets the status online and last_seen. Unknown pseudo and wrong password get the same 401.
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [pseudo, password]
   *             properties:
   *               pseudo: { type: string, example: roger }
   *               password: { type: string, example: 'correct horse battery' }
   *     responses:
   *       200:
   *         description: Token and user
   *         content:
   *           application/json:
   *             schema:
   *               type: object
   *               properties:
   *                 token: { type: string }
   *                 expires_in: { type: integer, example: 3600, description: seconds }
   *                 user: { $ref: '#/components/schemas/User' }
   *       400: { description: 'Missing field or wrong type', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'invalid pseudo or password (code invalid_credentials)', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/login', async (req, res) => {
    const { pseudo, password } = parseInput(loginSchema, req.body);
    res.json(await login(ctx, pseudo, password, metaOf(req)));
  });

  /**
   * @openapi
   * /logout:
   *   post:
   *     tags: [accounts]
   *     summary: Set the caller's status to offline
   *     description: Tokens are stateless; the client discards its token, which stays valid until it expires.
   *     security: [{ bearerAuth: [] }]
   *     responses:
   *       200: { description: 'Done', content: { application/json: { schema: { $ref: '#/components/schemas/Result' } } } }
   *       401: { description: 'No, invalid or expired token, or deleted account', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.post('/logout', authenticate, requireAuth(), async (req, res) => {
    await logout(ctx, callerOf(req));
    res.json({ result: 'logged out' });
  });

  /**
   * @openapi
   * /user/{pseudo}/password:
   *   patch:
   *     tags: [accounts]
   *     summary: Change one's own password
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     requestBody:
   *       required: true
   *       content:
   *         application/json:
   *           schema:
   *             type: object
   *             required: [old_password, new_password]
   *             properties:
   *               old_password: { type: string }
   *               new_password: { type: string, description: '8 to 72 bytes, different from the old one' }
   *     responses:
   *       200: { description: 'Changed', content: { application/json: { schema: { $ref: '#/components/schemas/Result' } } } }
   *       400: { description: 'Missing field or wrong type', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       401: { description: 'No or bad token, or wrong old password', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       403: { description: 'Not the caller''s own account (admins included)', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       422: { description: 'New password too short, too long or unchanged', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.patch('/user/:pseudo/password', authenticate, requireAuth(), async (req, res) => {
    const change = parseInput(passwordChangeSchema, req.body);
    await changePassword(ctx, callerOf(req), param(req, 'pseudo'), change, metaOf(req));
    res.json({ result: 'password changed' });
  });

  /**
   * @openapi
   * /user/{pseudo}:
   *   delete:
   *     tags: [accounts]
   *     summary: Delete an account (the user themself or an admin)
   *     description: The account becomes a tombstone; its pseudo and email stay reserved. The last admin account cannot be deleted.
   *     security: [{ bearerAuth: [] }]
   *     parameters: [{ in: path, name: pseudo, required: true, schema: { type: string } }]
   *     responses:
   *       200: { description: 'Deleted', content: { application/json: { schema: { $ref: '#/components/schemas/Result' } } } }
   *       401: { description: 'No or bad token', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       403: { description: 'Neither the user nor an admin', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       404: { description: 'Unknown or already deleted user', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   *       409: { description: 'The last admin account (code last_admin)', content: { application/json: { schema: { $ref: '#/components/schemas/Error' } } } }
   */
  router.delete('/user/:pseudo', authenticate, requireAuth(), async (req, res) => {
    await deleteAccount(ctx, callerOf(req), param(req, 'pseudo'), metaOf(req));
    res.json({ result: 'account deleted' });
  });

  return router;
}
