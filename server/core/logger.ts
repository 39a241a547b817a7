import { pino, type Logger } from 'pino';
import { sqlState } from './db/errors.ts';

export type { Logger };

const EMAIL = /[^\s<>"'@,;:]+@[^\s<>"'@,;:]+/g;
/** Slack's tokens (bot, user, app, refresh, config): never in a log line, whoever quoted them. */
const SLACK_TOKEN = /\bxox[abeoprs]-[\w-]+/g;

/** An error's message with addresses and tokens blanked: SMTP replies, for one, quote the recipient. */
const scrub = (message: string) => message.split('\n')[0]!.replace(EMAIL, '[email]').replace(SLACK_TOKEN, '[token]').slice(0, 300);

/**
 * Errors as logged: type, code, constraint and stack frames. A failed query's message, `params`
 * and `detail` quote the bound values (customer contact data, password hashes), so a database
 * error is logged by its SQLSTATE and constraint only, and a query error without one by its
 * cause's type; any other message is logged with email addresses blanked.
 */
export function serializeError(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { type: typeof e };
  const db = sqlState(e);
  const cause = (e as { cause?: { constraint?: unknown; table?: unknown; name?: unknown; code?: unknown } }).cause;
  const frames = (e.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 12).join('\n');
  const isQuery = 'params' in e || 'query' in e || e.message.startsWith('Failed query');
  const code = (e as { code?: unknown }).code;
  return {
    type: e.name,
    ...(db
      ? { sqlState: db, constraint: cause?.constraint ?? (e as { constraint?: unknown }).constraint, table: cause?.table }
      : isQuery
        ? { cause: cause?.name, causeCode: cause?.code }
        : { message: scrub(e.message), ...(typeof code === 'string' ? { code } : {}) }),
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
          // Secrets read back (Slack) and compared (tokens of links and sessions), by the names they go by.
          'token',
          '*.token',
          'botToken',
          '*.botToken',
          'signingSecret',
          '*.signingSecret',
          'clientSecret',
          '*.clientSecret',
          'client_secret',
          '*.client_secret',
          'access_token',
          '*.access_token',
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
