/**
 * One error hierarchy for every service. Domain code throws these; the error
 * middleware turns them into `{ error, code }` with the right status. Anything
 * that is not an AppError is a bug and is answered as a generic 500.
 */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, code = 'bad_request', details?: Record<string, unknown>) {
    super(400, code, message, details);
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = 'authentication required', code = 'unauthorized') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'forbidden', code = 'forbidden') {
    super(403, code, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'not found', code = 'not_found') {
    super(404, code, message);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'conflict') {
    super(409, code, message);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message = 'request body too large', code = 'payload_too_large') {
    super(413, code, message);
  }
}

export class ValidationError extends AppError {
  constructor(message: string, code = 'validation_failed', details?: Record<string, unknown>) {
    super(422, code, message, details);
  }
}

export class TooManyRequestsError extends AppError {
  constructor(
    message = 'too many requests',
    public readonly retryAfterSeconds?: number,
  ) {
    super(429, 'rate_limited', message);
  }
}

/** A dependency (another service, the database) cannot be reached. */
export class ServiceUnavailableError extends AppError {
  constructor(
    message: string,
    code = 'service_unavailable',
    /** Sent as `Retry-After` when set (an overload that clears by itself). */
    public readonly retryAfterSeconds?: number,
  ) {
    super(503, code, message);
  }
}

/** A dependency did not answer in time. */
export class GatewayTimeoutError extends AppError {
  constructor(message: string, code = 'upstream_timeout') {
    super(504, code, message);
  }
}

/** What the caller asked for existed once but is gone for good (e.g. a feed cursor older than retention). */
export class GoneError extends AppError {
  constructor(message: string, code = 'gone', details?: Record<string, unknown>) {
    super(410, code, message, details);
  }
}
