import { pino, type Logger } from 'pino';
import { sqlState } from './db/errors.ts';

export type { Logger };

/**
 * Errors as logged: type, SQLSTATE, constraint and stack frames only. Database errors carry
 * the query's bound values in their message, `params` and `detail` (customer contact data,
 * password hashes), so none of those is written.
 */
export function serializeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { type: typeof e };
  const db = sqlState(e);
  const cause = (e as { cause?: { constraint?: unknown; table?: unknown } }).cause;
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 12).join('\n');
  return {
    type: e.name,
    ...(db ? { sqlState: db, constraint: cause?.constraint ?? (e as { constraint?: unknown }).constraint, table: cause?.table } : { message: e.message }),
    stack: frames,
  };
}

/**
 * Structured logs. Personal data never goes in a log line: the redact list is a safety net
 * for the field names that could carry it, not a licence to log objects wholesale.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'madoguchi' },
      serializers: { err: serializeError },
      redact: {
        paths: [
          'password',
          '*.password',
          'email',
          '*.email',
          'phone',
          '*.phone',
          'address',
          '*.address',
          'customerEmail',
          'customerPhone',
          'req.headers.cookie',
          'req.headers.authorization',
          'headers.cookie',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination as pino.DestinationStream | undefined,
  );
}
