import express, { type Express } from 'express';
import request from 'supertest';
import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GatewayTimeoutError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
  errorMiddleware,
  notFoundMiddleware,
} from '@canaduck/errors';

/** Records what the middleware logs, to check that 5xx are logged and 4xx are not. */
function recordingLogger() {
  const lines: Array<{ obj: unknown; msg?: string }> = [];
  return { lines, error: (obj: unknown, msg?: string) => void lines.push({ obj, msg }) };
}

function buildApp(logger = recordingLogger()): { app: Express; logger: ReturnType<typeof recordingLogger> } {
  const app = express();
  app.use(express.json({ limit: '1kb' }));
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  const throwers: Record<string, () => never> = {
    'bad-request': () => {
      throw new BadRequestError('field x is missing');
    },
    unauthorized: () => {
      throw new UnauthorizedError();
    },
    forbidden: () => {
      throw new ForbiddenError('not a moderator', 'not_moderator');
    },
    'not-found': () => {
      throw new NotFoundError('channel not found', 'channel_not_found');
    },
    conflict: () => {
      throw new ConflictError('pseudo taken', 'pseudo_taken');
    },
    'too-large': () => {
      throw new PayloadTooLargeError();
    },
    validation: () => {
      throw new ValidationError('text too long', 'validation_failed', { fields: [{ field: 'text', message: 'too long' }] });
    },
    'rate-limited': () => {
      throw new TooManyRequestsError('slow down', 12);
    },
    unavailable: () => {
      throw new ServiceUnavailableError('channel-service unavailable');
    },
    timeout: () => {
      throw new GatewayTimeoutError('channel-service did not answer in time');
    },
    bug: () => {
      throw new TypeError("Cannot read properties of undefined (reading 'secret_column')");
    },
  };
  for (const [path, thrower] of Object.entries(throwers)) app.get(`/${path}`, () => thrower());
  app.get('/async-bug', async () => {
    await Promise.resolve();
    throw new Error('connection string mysql://root:hunter2@db');
  });
  app.get('/late-failure', (_req, res) => {
    res.write('partial');
    throw new Error('after headers');
  });
  app.use(notFoundMiddleware());
  app.use(errorMiddleware(logger));
  return { app, logger };
}

describe('errorMiddleware over an Express app', () => {
  it.each([
    ['/bad-request', 400, 'bad_request', 'field x is missing'],
    ['/unauthorized', 401, 'unauthorized', 'authentication required'],
    ['/forbidden', 403, 'not_moderator', 'not a moderator'],
    ['/not-found', 404, 'channel_not_found', 'channel not found'],
    ['/conflict', 409, 'pseudo_taken', 'pseudo taken'],
    ['/too-large', 413, 'payload_too_large', 'request body too large'],
    ['/validation', 422, 'validation_failed', 'text too long'],
    ['/rate-limited', 429, 'rate_limited', 'slow down'],
    ['/unavailable', 503, 'service_unavailable', 'channel-service unavailable'],
    ['/timeout', 504, 'upstream_timeout', 'channel-service did not answer in time'],
  ])('when a route throws the error of %s, then the answer is %i { error, code } in JSON', async (path, status, code, error) => {
    const res = await request(buildApp().app).get(path);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toMatchObject({ error, code });
  });

  it('when a validation error has details, then they are in the body', async () => {
    const res = await request(buildApp().app).get('/validation');
    expect(res.body.fields).toEqual([{ field: 'text', message: 'too long' }]);
  });

  it('when a rate limit error is thrown, then Retry-After is set', async () => {
    const res = await request(buildApp().app).get('/rate-limited');
    expect(res.headers['retry-after']).toBe('12');
  });

  it('when the JSON body is malformed, then the answer is 400 malformed_json', async () => {
    const res = await request(buildApp().app).post('/echo').set('Content-Type', 'application/json').send('{"text": "hi"');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'malformed JSON body', code: 'malformed_json' });
  });

  it('when the body is larger than the limit, then the answer is 413 payload_too_large', async () => {
    const res = await request(buildApp().app)
      .post('/echo')
      .send({ text: 'x'.repeat(5000) });
    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'request body too large', code: 'payload_too_large' });
  });

  it('when the body has an unsupported charset, then the answer is 415', async () => {
    const res = await request(buildApp().app).post('/echo').set('Content-Type', 'application/json; charset=klingon').send('{}');
    expect(res.status).toBe(415);
    expect(res.body.code).toBe('unsupported_encoding');
  });

  it('when a well-formed body is sent, then the route sees it', async () => {
    const res = await request(buildApp().app).post('/echo').send({ text: 'hello 🦆' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ text: 'hello 🦆' });
  });

  it('when the route is unknown, then the answer is a JSON 404 route_not_found', async () => {
    const res = await request(buildApp().app).delete('/nowhere/at/all');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.body).toEqual({ error: 'no route for DELETE /nowhere/at/all', code: 'route_not_found' });
  });

  it('when an unknown error is thrown, then the answer is a generic 500 without details, and it is logged', async () => {
    const { app, logger } = buildApp();
    const res = await request(app).get('/bug');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal server error', code: 'internal_error' });
    expect(res.text).not.toMatch(/secret_column|TypeError|at .*\.ts/);
    expect(logger.lines).toHaveLength(1);
    expect(logger.lines[0].msg).toBe('unhandled error');
    expect((logger.lines[0].obj as { err: Error }).err).toBeInstanceOf(TypeError);
  });

  it('when an async route rejects, then it is a generic 500 that leaks nothing and is logged', async () => {
    const { app, logger } = buildApp();
    const res = await request(app).get('/async-bug');
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('hunter2');
    expect(logger.lines).toHaveLength(1);
  });

  it('when a 503 AppError is thrown, then it is logged with its message', async () => {
    const { app, logger } = buildApp();
    await request(app).get('/unavailable');
    expect(logger.lines.map((l) => l.msg)).toEqual(['channel-service unavailable']);
  });

  it('when a 4xx error is thrown, then nothing is logged as an error', async () => {
    const { app, logger } = buildApp();
    await request(app).get('/forbidden');
    await request(app).get('/nowhere');
    expect(logger.lines).toHaveLength(0);
  });

  it('when the request carries its own logger, then that logger is used', async () => {
    const fallback = recordingLogger();
    const perRequest = recordingLogger();
    const app = express();
    app.use((req, _res, next) => {
      (req as unknown as { log: unknown }).log = perRequest;
      next();
    });
    app.get('/bug', () => {
      throw new Error('boom');
    });
    app.use(errorMiddleware(fallback));
    await request(app).get('/bug').expect(500);
    expect(perRequest.lines).toHaveLength(1);
    expect(fallback.lines).toHaveLength(0);
  });

  it('when the error happens after the headers were sent, then the connection is cut instead of sending a second answer', async () => {
    const { app, logger } = buildApp();
    await expect(request(app).get('/late-failure')).rejects.toThrow();
    expect(logger.lines).toHaveLength(1);
  });

  it('when no logger is given, then an unknown error is still a generic 500', async () => {
    const app = express();
    app.get('/bug', () => {
      throw new Error('boom');
    });
    app.use(errorMiddleware());
    const res = await request(app).get('/bug');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal server error', code: 'internal_error' });
  });
});
