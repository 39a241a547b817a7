import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logs. Personal data never goes in a log line: the redact list is a safety net
 * for the field names that could carry it, not a licence to log objects wholesale.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'madoguchi' },
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
