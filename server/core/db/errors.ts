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
