import type { IncomingMessage } from 'node:http';
import type { Server } from 'socket.io';

/*
 * What engine.io keeps per connection, trimmed to what madoguchi reads, and what it leaves for
 * the garbage collector to find: the memory side of core/realtime.ts's Socket.IO server.
 */

/**
 * The request headers a connection keeps for socket.handshake.headers: what madoguchi reads
 * there (the console's origin and host checks, its session cookie). A browser sends a dozen
 * more (a long user agent, languages, WebSocket keys) that would otherwise stay with every
 * idle widget for hours; a handler that needs another header adds it here.
 */
export const KEPT_HEADERS = ['host', 'origin', 'cookie'] as const;

/**
 * What a connection keeps of the request that opened it, once it is up: Socket.IO reads these
 * each time a namespace is joined on the connection (socket.handshake: headers, URL, query,
 * whether it was encrypted). Code must read socket.handshake, never socket.request, which is
 * this, not an IncomingMessage.
 */
export interface KeptRequest {
  headers: IncomingMessage['headers'];
  url: string | undefined;
  _query: unknown;
  connection: { encrypted: boolean };
}

/**
 * engine.io keeps the HTTP request behind a connection for the connection's whole life: the
 * handshake request on the connection itself, and every WebSocket upgrade request (a widget's
 * first, a console's after it began on polling) in the stand-in response a listener on the TCP
 * socket holds. With each go its parser state, raw header list and stream bookkeeping, most of
 * an idle socket's cost beyond Socket.IO's own. The upgrade's response forgets its request once
 * the 101 headers are written (engine.io is done with it then); the connection keeps only a
 * KeptRequest. (Socket.IO's memory guide drops the request altogether, which would leave a
 * namespace joined later without its cookie.)
 */
export function forgetRequests(engine: Server['engine']): void {
  const responses = new WeakMap<object, { req?: unknown }>();
  engine.use((req: object, res: { req?: unknown }, next: () => void) => {
    responses.set(req, res);
    next();
  });
  // Emitted for every response engine.io writes, the 101 of each upgrade included; a polling
  // response (a real ServerResponse) ends with its request anyway.
  engine.on('headers', (_headers: unknown, req: object) => {
    const res = responses.get(req);
    if (res && res.constructor.name === 'WebSocketResponse') res.req = undefined;
  });
  engine.on('connection', (conn: { request: unknown }) => {
    const req = conn.request as (IncomingMessage & { _query?: unknown }) | null;
    if (!req) return;
    const headers: IncomingMessage['headers'] = {};
    for (const h of KEPT_HEADERS) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
    const kept: KeptRequest = { headers, url: req.url, _query: req._query, connection: { encrypted: Boolean((req.socket as { encrypted?: boolean } | undefined)?.encrypted) } };
    conn.request = kept;
  });
}

/**
 * Empties each write buffer engine.io has just sent over WebSocket. engine.io swaps a
 * connection's buffer for a new array at every flush, and that array lives until the
 * connection's next packet: for a widget that is mostly its next ack, seconds later, so the
 * garbage collector has moved the array to the old generation by then. Once sent, the old array
 * is garbage in the old generation whose backing store still points at the packets just pushed
 * into it (the encoded ack, its options), and a scavenge takes what old objects point at to be
 * alive: each ack outlived the young generation and waited for a full collection (about 1 KB a
 * message at 1,000 msg/s, issue 15's stop 36). The engine emits `flush` with the buffer before
 * it sends it and `drain` right after, in the same call, on the server as on the connection: one
 * listener for all. Only WebSocket is emptied: its transport has read the whole buffer when
 * `send` returns (WebTransport's reads it across awaits, polling's is rare and short-lived). The
 * buffer is emptied only if `drain` is for the connection that flushed it and it is no longer
 * that connection's current buffer. A listener on `flush` that keeps the array sees it empty
 * afterwards; none in madoguchi or Socket.IO does.
 */
export function emptySentBuffers(engine: Server['engine']): void {
  type Conn = { transport?: { name?: string }; writeBuffer?: unknown[] };
  let sent: unknown[] | undefined;
  let sentBy: Conn | undefined;
  engine.on('flush', (conn: Conn, buffer: unknown[]) => {
    const ws = conn.transport?.name === 'websocket';
    sent = ws ? buffer : undefined;
    sentBy = ws ? conn : undefined;
  });
  engine.on('drain', (conn: Conn) => {
    if (sent && conn === sentBy && conn.writeBuffer !== sent) sent.length = 0;
    sent = undefined;
    sentBy = undefined;
  });
}
