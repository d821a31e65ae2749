import { Router, type RequestHandler } from 'express';
import { requireAuth } from '@canaduck/auth';
import { parseInput, type ApiDocs } from '@canaduck/service-kit';
import type { AccountService } from '../domain/account-service';
import { callerOf, metaOf, param } from './route-helpers';
import {
  loginAnswerSchema,
  loginSchema,
  passwordChangeSchema,
  pseudoParamsSchema,
  registerSchema,
  resultSchema,
  userSchema,
} from './schemas';

export interface AccountRoutesDeps {
  accounts: AccountService;
  authenticate: RequestHandler;
  docs: ApiDocs;
}

/** Accounts: register, login, logout, password change, deletion. */
export function accountRoutes({ accounts, authenticate, docs }: AccountRoutesDeps): Router {
  const router = Router();
  const user = docs.schema('User', userSchema);
  const result = docs.schema('Result', resultSchema);
  const tags = ['accounts'];

  docs.route({
    method: 'post',
    path: '/register',
    tags,
    summary: 'Create an account',
    description: 'Pseudo and email are unique case-insensitively, also against deleted accounts. Extra fields (roles...) are ignored.',
    body: registerSchema,
    responses: {
      201: { description: 'The new user (with email)', schema: user },
      400: 'Missing field or wrong type',
      409: 'Pseudo or email taken (codes pseudo_taken, email_taken)',
      422: 'Bad pseudo syntax, email or password length',
      503: 'Too many password checks at once (code bcrypt_busy, Retry-After)',
    },
  });
  router.post('/register', async (req, res) => {
    res.status(201).json(await accounts.register(parseInput(registerSchema, req.body)));
  });

  docs.route({
    method: 'post',
    path: '/login',
    tags,
    summary: 'Log in and get a token',
    description: 'Sets the status online and last_seen. Unknown pseudo and wrong password get the same 401.',
    body: loginSchema,
    responses: {
      200: { description: 'Token and user', schema: loginAnswerSchema },
      400: 'Missing field or wrong type',
      401: 'invalid pseudo or password (code invalid_credentials)',
      503: 'Too many password checks at once (code bcrypt_busy, Retry-After)',
    },
  });
  router.post('/login', async (req, res) => {
    const { pseudo, password } = parseInput(loginSchema, req.body);
    res.json(await accounts.login(pseudo, password, metaOf(req)));
  });

  docs.route({
    method: 'post',
    path: '/logout',
    tags,
    auth: 'user',
    summary: "Log out: revoke the caller's tokens and set the status offline",
    description:
      'Every token of the caller issued so far is revoked (user.logged_out): every service answers 401 token_revoked for it within a second.',
    responses: {
      200: { description: 'Done', schema: result },
      401: 'No, invalid or expired token, or deleted account',
    },
  });
  router.post('/logout', authenticate, requireAuth(), async (req, res) => {
    await accounts.logout(callerOf(req));
    res.json({ result: 'logged out' });
  });

  docs.route({
    method: 'patch',
    path: '/user/:pseudo/password',
    tags,
    auth: 'user',
    summary: "Change one's own password",
    params: pseudoParamsSchema,
    body: passwordChangeSchema,
    responses: {
      200: { description: 'Changed', schema: result },
      400: 'Missing field or wrong type',
      401: 'No or bad token, or wrong old password',
      403: "Not the caller's own account (admins included)",
      422: 'New password too short, too long or unchanged',
      429: 'More than PASSWORD_CHANGE_MAX tries for this account in PASSWORD_CHANGE_WINDOW (code rate_limited, Retry-After)',
      503: 'Too many password checks at once (code bcrypt_busy, Retry-After)',
    },
  });
  router.patch('/user/:pseudo/password', authenticate, requireAuth(), async (req, res) => {
    const change = parseInput(passwordChangeSchema, req.body);
    await accounts.changePassword(callerOf(req), param(req, 'pseudo'), change, metaOf(req));
    res.json({ result: 'password changed' });
  });

  docs.route({
    method: 'delete',
    path: '/user/:pseudo',
    tags,
    auth: 'user',
    summary: 'Delete an account (the user themself or an admin)',
    description: 'The account becomes a tombstone; its pseudo and email stay reserved. The last admin account cannot be deleted.',
    params: pseudoParamsSchema,
    responses: {
      200: { description: 'Deleted', schema: result },
      401: 'No or bad token',
      403: 'Neither the user nor an admin',
      404: 'Unknown or already deleted user',
      409: 'The last admin account (code last_admin)',
    },
  });
  router.delete('/user/:pseudo', authenticate, requireAuth(), async (req, res) => {
    await accounts.deleteAccount(callerOf(req), param(req, 'pseudo'), metaOf(req));
    res.json({ result: 'account deleted' });
  });

  return router;
}
