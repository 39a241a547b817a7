import type { Socket } from 'socket.io-client';
import { CatchUp, MessageLog } from '../../agent-console/src/chatSequence.ts';
import { cid } from './sockets.ts';

interface Item {
  clientId: string;
  body: string;
  acked: boolean;
  inFlight: boolean;
}

/**
 * What the widget does to never lose or double a message: every message keeps its client id
 * until acked; only a connected socket sends (so nothing waits in socket.io's buffer to jump
 * the queue after a reconnect); after a reconnect everything unacked is sent again, in order,
 * with the same ids. At most `window` messages are in flight.
 */
export class ReliableSender {
  private readonly items: Item[] = [];
  private next = 0;
  acks = 0;
  duplicates = 0;
  private waiters: Array<() => void> = [];

  constructor(
    private readonly socket: Socket,
    private readonly conversationId: string,
    private readonly window = 10,
  ) {
    socket.on('connect', () => {
      for (const i of this.items) i.inFlight = false;
      this.next = this.items.findIndex((i) => !i.acked);
      if (this.next < 0) this.next = this.items.length;
      this.pump();
    });
  }

  send(body: string): void {
    this.items.push({ clientId: cid(), body, acked: false, inFlight: false });
    this.pump();
  }

  private inFlight = () => this.items.filter((i) => i.inFlight).length;

  private pump(): void {
    while (this.socket.connected && this.next < this.items.length && this.inFlight() < this.window) {
      const item = this.items[this.next++]!;
      if (item.acked) continue;
      item.inFlight = true;
      this.socket
        .timeout(5000)
        .emitWithAck('message:send', { conversationId: this.conversationId, clientId: item.clientId, body: item.body })
        .then((r: { ok?: boolean; duplicate?: boolean; error?: string }) => {
          item.inFlight = false;
          if (r.ok) {
            if (!item.acked) this.acks += 1;
            if (r.duplicate) this.duplicates += 1;
            item.acked = true;
          } else if (r.error === 'rate_limited') {
            this.next = Math.min(this.next, this.items.indexOf(item));
            setTimeout(() => this.pump(), 200);
            return;
          } else {
            throw new Error(`message refused: ${r.error}`);
          }
          this.settle();
          this.pump();
        })
        .catch(() => {
          // No ack (timeout or a dropped connection): it stays unacked and is sent again on reconnect.
          item.inFlight = false;
        });
    }
  }

  private settle(): void {
    if (this.items.every((i) => i.acked)) for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when every message sent so far is acked. */
  drained(): Promise<void> {
    if (this.items.every((i) => i.acked)) return Promise.resolve();
    return new Promise((done) => this.waiters.push(done));
  }
}

/**
 * The console's own bookkeeping (agent-console/src/chatSequence.ts, as useConversation uses
 * it) on a plain Socket.IO client: live messages are held once each; a gap (a broadcast lost
 * with a dying process) or a reconnect starts a catch-up from the last seq held without a gap.
 */
export class OrderedReceiver {
  private readonly log = new MessageLog<{ id: string; seq: number; body: string }>();
  private readonly catchUp: CatchUp<{ id: string; seq: number; body: string }>;

  constructor(socket: Socket, conversationId: string) {
    this.catchUp = new CatchUp(this.log, {
      fetch: async (afterSeq) => {
        const r = await socket.timeout(5000).emitWithAck('sync', { conversationId, afterSeq });
        if (!r.ok) throw new Error(`sync refused: ${r.error}`);
        return r;
      },
      online: () => socket.connected,
      changed: () => undefined,
      failed: () => undefined,
    });
    socket.on('message', (m: { id: string; conversationId: string; seq: number; body: string }) => {
      if (m.conversationId !== conversationId) return;
      this.log.add([m]);
      if (this.log.missing) void this.catchUp.request();
    });
    socket.on('connect', () => void this.catchUp.request());
  }

  /** Every message held, in sequence order. */
  get seen(): Array<{ seq: number; body: string }> {
    return this.log.list().map((m) => ({ seq: m.seq, body: m.body }));
  }

  /** The last seq up to which every message is held. */
  get lastSeq(): number {
    return this.log.contiguous;
  }

  sync(): Promise<void> {
    return this.catchUp.request();
  }
}
