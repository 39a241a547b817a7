import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp, type App, type AppDeps } from './app.ts';
import { DomainBus } from './core/bus.ts';

export interface ServiceOptions {
  port: number;
  host?: string;
  /** How long to let requests in flight finish before cutting connections. */
  graceMs: number;
}

export interface Service {
  app: App;
  server: Server;
  bus: DomainBus;
  port: number;
  /** Stops taking connections, drains what is in flight; the caller closes Redis and the database. */
  close(): Promise<void>;
}

/**
 * The composition root shared by `server/main.ts` and the tests: the Koa app on an HTTP
 * server. Storage (database, Redis, mailer) is the caller's, so tests can share it.
 */
export async function startService(deps: AppDeps, opts: ServiceOptions): Promise<Service> {
  const bus = deps.bus ?? new DomainBus(deps.logger);
  const app = createApp({ ...deps, bus });
  const server = createServer(app.callback());
  server.keepAliveTimeout = 5000;
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(opts.port, opts.host, () => done());
  });
  const port = (server.address() as AddressInfo).port;

  const close = async () => {
    const force = setTimeout(() => {
      deps.logger.warn('drain took too long; closing remaining connections');
      server.closeAllConnections();
    }, opts.graceMs).unref();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeIdleConnections();
    });
    clearTimeout(force);
  };
  return { app, server, bus, port, close };
}
