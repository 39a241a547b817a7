import { DomainError } from '../errors.ts';

/** The SQLSTATE of a database error, looking through Drizzle's wrapper (`cause`). */
export function sqlState(e: unknown): string | undefined {
  for (let cur = e, depth = 0; cur && typeof cur === 'object' && depth < 4; cur = (cur as { cause?: unknown }).cause, depth++) {
    const code = (cur as { code?: unknown }).code;
    // Only a database's own errors carry a severity; EAUTH or EPIPE are not SQLSTATEs.
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && 'severity' in (cur as object)) return code;
  }
  return undefined;
}

/**
 * Database refusals that bad input or a lost race can cause, as precise 4xx answers; the
 * database's own message is never passed on (it quotes the values, which may be personal).
 */
export function fromDatabaseError(e: unknown): DomainError | undefined {
  const state = sqlState(e);
  if (!state) return undefined;
  if (state === '23505') return new DomainError('conflict', 'this already exists (a concurrent request may have created it)');
  if (state === '23503') return new DomainError('conflict', 'something else still refers to this (for example a return request on an order line)');
  if (state === '40P01' || state === '40001') return new DomainError('conflict', 'a concurrent change got in the way; try again');
  if (['22021', '22P02', '22003', '22008', '22007', '22001', '54000'].includes(state)) {
    return new DomainError('invalid_input', 'a value is out of range or not valid text');
  }
  return undefined;
}

/** Network failures of the socket under a driver: the server is down, restarting or unreachable. */
const NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EAI_AGAIN', 'ENOTFOUND']);

/**
 * What node-postgres, its pool and PGlite say when the connection (not the statement) failed.
 * They are plain Errors with no code, so their texts are all there is to go by.
 */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'connection timeout',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Cannot use a pool after calling end on the pool',
  'PGlite is closed',
];

/**
 * SQLSTATEs of a server that cannot take the statement now: class 08 (connection exception),
 * 57P01–57P03 (shutting down, crashed, starting up) and 53300 (too many connections).
 */
const isUnavailableState = (state: string) => state.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(state);

/**
 * True when a database call failed because the database could not be reached (refused,
 * dropped, pool timeout, shutting down, PGlite closed), never for what the statement itself
 * did wrong: a constraint violation stays a 4xx (see fromDatabaseError). Looks through
 * Drizzle's wrapper (`cause`).
 */
export function isConnectionFailure(e: unknown): boolean {
  const state = sqlState(e);
  if (state) return isUnavailableState(state);
  for (let cur = e, depth = 0; cur instanceof Error && depth < 4; cur = cur.cause, depth++) {
    const code = (cur as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NET_CODES.has(code)) return true;
    // Not a wrapper's text: Drizzle's quotes the statement and its values, which are anyone's words.
    const wrapper = 'query' in cur || 'params' in cur;
    if (!wrapper && CONNECTION_MESSAGES.some((m) => cur instanceof Error && cur.message.includes(m))) return true;
    // AggregateError: a host name resolving to several addresses, each refused.
    if (cur instanceof AggregateError && cur.errors.some((x) => isConnectionFailure(x))) return true;
  }
  return false;
}
