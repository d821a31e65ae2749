import {
  AppError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  GatewayTimeoutError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  UnauthorizedError,
  ValidationError,
  toErrorResponse,
} from '@canaduck/errors';

describe('error classes', () => {
  const cases: Array<[string, AppError, number, string]> = [
    ['BadRequestError', new BadRequestError('bad'), 400, 'bad_request'],
    ['UnauthorizedError', new UnauthorizedError(), 401, 'unauthorized'],
    ['ForbiddenError', new ForbiddenError(), 403, 'forbidden'],
    ['NotFoundError', new NotFoundError(), 404, 'not_found'],
    ['ConflictError', new ConflictError('taken'), 409, 'conflict'],
    ['GoneError', new GoneError('expired'), 410, 'gone'],
    ['PayloadTooLargeError', new PayloadTooLargeError(), 413, 'payload_too_large'],
    ['ValidationError', new ValidationError('rule'), 422, 'validation_failed'],
    ['TooManyRequestsError', new TooManyRequestsError(), 429, 'rate_limited'],
    ['ServiceUnavailableError', new ServiceUnavailableError('down'), 503, 'service_unavailable'],
    ['GatewayTimeoutError', new GatewayTimeoutError('slow'), 504, 'upstream_timeout'],
  ];

  it.each(cases)('when a %s is built with defaults, then it carries its status, code and name', (name, err, status, code) => {
    expect(err).toBeInstanceOf(AppError);
    expect(err).toBeInstanceOf(Error);
    expect(err.status).toBe(status);
    expect(err.code).toBe(code);
    expect(err.name).toBe(name);
    expect(toErrorResponse(err)).toEqual({ status, body: { error: err.message, code }, headers: {} });
  });

  it('when a custom code and details are given, then the body carries them beside error and code', () => {
    const err = new ValidationError('pseudo invalid', 'invalid_pseudo', { fields: [{ field: 'pseudo', message: 'x' }] });
    expect(toErrorResponse(err).body).toEqual({
      error: 'pseudo invalid',
      code: 'invalid_pseudo',
      fields: [{ field: 'pseudo', message: 'x' }],
    });
    expect(toErrorResponse(new BadRequestError('b', 'custom_bad', { hint: 1 })).body).toEqual({ error: 'b', code: 'custom_bad', hint: 1 });
  });

  it('when custom messages and codes are given to every class, then they are kept', () => {
    expect(new UnauthorizedError('no', 'token_expired')).toMatchObject({ message: 'no', code: 'token_expired' });
    expect(new ForbiddenError('no', 'role_required')).toMatchObject({ message: 'no', code: 'role_required' });
    expect(new NotFoundError('no user', 'user_not_found')).toMatchObject({ message: 'no user', code: 'user_not_found' });
    expect(new ConflictError('taken', 'pseudo_taken')).toMatchObject({ code: 'pseudo_taken' });
    expect(new PayloadTooLargeError('big', 'too_big')).toMatchObject({ message: 'big', code: 'too_big' });
    expect(new ServiceUnavailableError('x', 'dependency_unavailable')).toMatchObject({ code: 'dependency_unavailable' });
    expect(new GatewayTimeoutError('x', 'dependency_timeout')).toMatchObject({ code: 'dependency_timeout' });
  });

  it('when a TooManyRequestsError has a retry delay, then the response sets Retry-After', () => {
    expect(toErrorResponse(new TooManyRequestsError('slow down', 30))).toEqual({
      status: 429,
      body: { error: 'slow down', code: 'rate_limited' },
      headers: { 'Retry-After': '30' },
    });
    expect(toErrorResponse(new TooManyRequestsError()).headers).toEqual({});
  });
});

describe('toErrorResponse with foreign errors', () => {
  it('when a plain Error is thrown, then it is a generic 500 that does not echo its message', () => {
    const res = toErrorResponse(new Error('SELECT * FROM secret_table failed'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal server error', code: 'internal_error' });
  });

  it.each([undefined, null, 'a string', 42])('when %p is thrown, then it is a generic 500', (thrown) => {
    expect(toErrorResponse(thrown)).toMatchObject({ status: 500, body: { code: 'internal_error' } });
  });

  it.each([
    ['entity.parse.failed', 400, 'malformed_json'],
    ['entity.too.large', 413, 'payload_too_large'],
    ['encoding.unsupported', 415, 'unsupported_encoding'],
    ['charset.unsupported', 415, 'unsupported_encoding'],
    ['request.aborted', 400, 'request_aborted'],
  ])('when body-parser fails with type %s, then the status is %i', (type, status, code) => {
    expect(toErrorResponse(Object.assign(new Error('raw parser text'), { type }))).toMatchObject({ status, body: { code } });
  });

  it.each(['ECONNREFUSED', 'PROTOCOL_CONNECTION_LOST', 'SQLITE_BUSY'])(
    'when the database driver fails with %s, then it is a 503 database_unavailable',
    (code) => {
      expect(toErrorResponse(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:3306'), { code }))).toEqual({
        status: 503,
        body: { error: 'database unavailable', code: 'database_unavailable' },
        headers: {},
      });
    },
  );

  it('when knex times out acquiring a connection or a driver error is fatal, then it is a 503', () => {
    const timeout = new Error('Knex: Timeout acquiring a connection');
    timeout.name = 'KnexTimeoutError';
    expect(toErrorResponse(timeout).status).toBe(503);
    expect(toErrorResponse(Object.assign(new Error('x'), { code: 'ER_SOMETHING', fatal: true })).status).toBe(503);
  });

  it('when a non-fatal SQL error is thrown, then it stays a generic 500', () => {
    expect(toErrorResponse(Object.assign(new Error('syntax'), { code: 'ER_PARSE_ERROR', fatal: false })).status).toBe(500);
  });

  it('when a foreign error carries a 4xx status, then that status is kept with a generic body', () => {
    expect(toErrorResponse(Object.assign(new Error('internal detail'), { status: 405 }))).toEqual({
      status: 405,
      body: { error: 'bad request', code: 'bad_request' },
      headers: {},
    });
    expect(toErrorResponse(Object.assign(new Error('x'), { statusCode: 418 })).status).toBe(418);
  });

  it('when a foreign error carries a 5xx or absurd status, then it is a generic 500', () => {
    expect(toErrorResponse(Object.assign(new Error('x'), { status: 502 })).status).toBe(500);
    expect(toErrorResponse(Object.assign(new Error('x'), { status: 200 })).status).toBe(500);
  });
});
