import express, { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { authenticate } from '@canaduck/auth';
import { errorMiddleware } from '@canaduck/errors';
import { ApiDocs } from '@canaduck/service-kit';
import { bearer, testTokenSettings, uniqueName } from '@canaduck/testing';
import { userRouteMounter } from '../src/routes/route-helpers';

describe('userRouteMounter', () => {
  it('when a route documents two success statuses, then mounting it fails at start-up', () => {
    const route = userRouteMounter(Router(), new ApiDocs());
    const spec = { method: 'post', path: '/channel/:name/both', summary: 'x', responses: { 200: 'kept', 201: 'made' } } as const;
    expect(() => route(spec, async () => ({}))).toThrow('POST /channel/:name/both documents 2 success statuses, not one');
  });

  it('when a route is called, then the token and the documented body schema are checked first, and it answers with the documented status', async () => {
    const router = Router();
    const route = userRouteMounter(router, new ApiDocs());
    const body = z.object({ word: z.string().min(1) });
    route({ method: 'post', path: '/echo', summary: 'echo', body, responses: { 201: 'echoed' } }, async (req, echoed) => echoed);
    const app = express().use(express.json(), authenticate(testTokenSettings), router, errorMiddleware());
    const who = bearer(uniqueName('echo'));
    expect((await request(app).post('/echo').send({ word: 'coin' })).status).toBe(401);
    expect((await request(app).post('/echo').set('Authorization', who).send({ word: 3 })).status).toBe(400);
    expect((await request(app).post('/echo').set('Authorization', who).send({ word: '' })).status).toBe(422);
    const res = await request(app).post('/echo').set('Authorization', who).send({ word: 'coin', extra: true });
    expect([res.status, res.body]).toEqual([201, { word: 'coin' }]);
  });
});
