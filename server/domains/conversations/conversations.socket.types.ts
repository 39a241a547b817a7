import type { Namespace } from 'socket.io';
import type { Logger } from '../../core/logger.ts';
import type { SocketLimits } from '../../core/realtime.ts';
import type { AuthDeps } from '../auth/auth.service.ts';
import type { WidgetClientEvents, WidgetServerEvents } from './conversations.socket.events.ts';
import type { ChatDeps } from './conversations.service.ts';

/*
 * What the two namespaces' handlers (conversations.socket.ts for /widget,
 * conversations.socket.agent.ts for /agent) share, apart from both so that neither imports
 * the other for it: the widget side starts the agent side, never the reverse.
 */

export interface SocketDeps extends ChatDeps {
  auth: AuthDeps;
  logger: Logger;
  limits: SocketLimits;
  /** Origins the console is served from; a browser handshake from anywhere else is refused. */
  consoleOrigins: string[];
  /** How often a console connection re-checks its session and membership and refreshes presence, and widget connections of ended sessions are cut (tests shorten it). */
  refreshMs?: number;
}

export type WidgetNamespace = Namespace<WidgetClientEvents, WidgetServerEvents>;
