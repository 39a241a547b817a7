import type { Logger } from './logger.ts';

/**
 * Process-wide last resorts, for `npm start` and `npm run worker`.
 *
 * A promise rejected with nobody to hear it ends a Node process by default. One such slip
 * (a fire-and-forget call into a library while Redis was away) took the whole service down
 * for everyone, though nothing was wrong with the work in hand. It is logged as an error,
 * with its stack, and the process goes on: the code that dropped it is what needs mending,
 * and the log says where.
 *
 * An exception thrown with nobody to catch it is different: the stack it unwound may have left
 * state half-changed, so it is logged as fatal and the process stops the way SIGTERM stops it
 * (draining requests, closing connections), with exit code 1 for the supervisor to restart.
 */
export function guardProcess(logger: Logger, stop: (reason: string, code: number) => Promise<void> | void): void {
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'a promise was rejected with no handler; the process keeps running');
  });
  process.on('uncaughtException', (err, origin) => {
    logger.fatal({ err, origin }, 'uncaught exception; stopping');
    // If stopping itself hangs or throws, leave anyway: a supervisor restarts us.
    setTimeout(() => process.exit(1), 15_000).unref();
    Promise.resolve()
      .then(() => stop('uncaughtException', 1))
      .catch(() => process.exit(1));
  });
}
