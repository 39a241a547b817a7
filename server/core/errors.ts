/** The closed list of error codes and the one table from code to HTTP status. */
export const errorStatus = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  invalid_transition: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** A dependency (the database, Redis) cannot be reached just now: retry after Retry-After. */
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After for rate_limited. */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message = 'you may not do this') => new DomainError('forbidden', message);
export const invalidInput = (message: string, details?: unknown) => new DomainError('invalid_input', message, details);
export const conflict = (message: string, details?: unknown) => new DomainError('conflict', message, details);

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
