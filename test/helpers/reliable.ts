import type { Socket } from 'socket.io-client';
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
 * What a console does to see every message exactly once, in order: live messages are taken
 * in sequence; a gap (a broadcast lost with a dying process) or a reconnect triggers a sync
 * from the last sequence seen.
 */
export class OrderedReceiver {
  readonly seen: Array<{ seq: number; body: string }> = [];
  lastSeq = 0;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly socket: Socket,
    private readonly conversationId: string,
  ) {
    socket.on('message', (m: { conversationId: string; seq: number; body: string }) => {
      if (m.conversationId !== conversationId) return;
      if (m.seq === this.lastSeq + 1 && !this.syncing) this.take(m);
      else if (m.seq > this.lastSeq) void this.sync();
    });
    socket.on('connect', () => void this.sync());
  }

  private take(m: { seq: number; body: string }): void {
    this.seen.push({ seq: m.seq, body: m.body });
    this.lastSeq = m.seq;
  }

  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        for (;;) {
          const r = await this.socket.timeout(5000).emitWithAck('sync', { conversationId: this.conversationId, afterSeq: this.lastSeq });
          if (!r.ok) throw new Error(`sync refused: ${r.error}`);
          // A sync answer is complete after lastSeq; a gap in it is a message this viewer may not see.
          for (const m of r.messages) if (m.seq > this.lastSeq) this.take(m);
          if (!r.more) break;
        }
      } catch {
        // Disconnected mid-sync: the next connect syncs again.
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }
}
