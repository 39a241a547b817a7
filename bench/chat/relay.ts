/**
 * The yardstick: a bare Socket.IO server (same version, no Redis adapter, no database) that
 * speaks just enough of the chat contract for the same client code to drive it. A customer's
 * `message:send` is stamped, fanned out exactly as the real server does (to the agents'
 * `conv:<id>` room and the customer's `wconv:<id>` room but the sending socket) and acked. Started by bench/chat.ts.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { MAX_PACKET_BYTES } from '../../server/core/realtime.ts';
import type { MessageDto } from '../../server/domains/conversations/conversations.dto.ts';
import { serveParent } from './ipc.ts';

type Ack = (a: unknown) => void;
// Anything but Socket.IO (the bench's scrape of /metrics) gets a 404 rather than no answer at all.
const http = createServer((_req, res) => res.writeHead(404).end());
// The same engine settings as server/core/realtime.ts, so only the work per message differs.
const io = new Server(http, { serveClient: false, maxHttpBufferSize: MAX_PACKET_BYTES, pingInterval: 20_000, pingTimeout: 20_000 });
const widget = io.of('/widget');
const agent = io.of('/agent');

widget.on('connection', (socket) => {
  const conversationId = randomUUID();
  let seq = 0;
  socket.on('conversation:open', (_p: unknown, ack: Ack) => {
    void socket.join(`wconv:${conversationId}`);
    ack({ ok: true, conversation: { id: conversationId, number: 1, status: 'open', lastSeq: seq, agentReadSeq: 0, createdAt: new Date().toISOString() } });
  });
  socket.on('message:send', (p: { conversationId: string; clientId: string; body: string }, ack: Ack) => {
    if (p?.conversationId !== conversationId) return ack({ error: 'not_found', message: 'conversation not found' });
    const message: MessageDto = {
      id: randomUUID(),
      conversationId,
      seq: ++seq,
      clientId: p.clientId,
      authorKind: 'customer',
      authorName: '顧客',
      authorId: null,
      kind: 'text',
      body: p.body,
      attachments: [],
      createdAt: new Date().toISOString(),
    };
    agent.to(`conv:${conversationId}`).emit('message', message);
    // Like the real server: the sending socket has the message in its ack, its other tabs get it.
    widget.to(`wconv:${conversationId}`).except(socket.id).emit('message', message);
    ack({ ok: true, message, duplicate: false });
  });
});

agent.on('connection', (socket) => {
  socket.on('conversation:join', (p: { conversationId: string }, ack: Ack) => {
    void socket.join(`conv:${p.conversationId}`);
    ack({ ok: true });
  });
});

await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));

serveParent((http.address() as AddressInfo).port, {
  sockets: () => widget.sockets.size + agent.sockets.size,
  stop: async () => {
    io.disconnectSockets(true);
    await io.close();
    setTimeout(() => process.exit(0), 50);
  },
});
