import { afterReply } from '../../core/realtime.ts';
import type { Socket } from 'socket.io';
import { serializeError, type Logger } from '../../core/logger.ts';
import { accessEndOf, currentAccess, type AccessEnd, type MemberAccess } from '../auth/auth.access.ts';
import type { AuthDeps } from '../auth/auth.service.ts';

type UserActor = MemberAccess['actor'];

/** Longest wait setTimeout takes (~24.8 days); sessions are far shorter. */
const MAX_TIMEOUT = 2 ** 31 - 1;

/** A refused console handshake; `data.reason` (an AccessEnd) tells the console what to do. */
export function refusal(message: string, reason?: AccessEnd) {
  return Object.assign(new Error(message), { data: { code: 'unauthenticated', ...(reason ? { reason } : {}) } });
}

/**
 * One console connection's hold on its shop. What it connected with is only where it
 * starts: every event re-reads the session and the membership (one query) and acts with
 * the actor found then; a timer re-reads them every `refreshMs` and once the session's
 * expiry has passed, without sliding it; and a change made anywhere makes it re-read at
 * once (`check`). The same role carries on. Another role serves the event with the new role
 * and then ends the connection with `role_changed`, so that it reconnects into that role's
 * rooms. No session or membership refuses the event and ends the connection with the reason.
 */
export class LiveAccess {
  private timer: NodeJS.Timeout | undefined;
  private ended = false;

  constructor(
    private readonly socket: Socket,
    private readonly deps: { auth: AuthDeps; logger: Logger; refreshMs: number; onTick: () => Promise<void> },
    private readonly sessionId: string,
    /** The actor the connection joined its rooms as. */
    readonly connectedAs: UserActor,
    private expiresAt: Date,
  ) {
    this.schedule();
  }

  /** Runs an event's work with the actor as it is now; see the class comment. */
  async serve<R>(work: (actor: UserActor) => Promise<R>): Promise<R> {
    let access: MemberAccess;
    try {
      access = await this.read();
    } catch (e) {
      const reason = accessEndOf(e);
      // After the refusal is answered: an ack sent after the disconnect would be lost.
      if (reason) afterReply(e, () => this.end(reason));
      throw e;
    }
    try {
      return await work(access.actor);
    } finally {
      if (access.actor.role !== this.connectedAs.role) setImmediate(() => this.end('role_changed'));
    }
  }

  /** Re-reads now and ends the connection if its access is gone or its role moved. */
  async check(): Promise<void> {
    if (this.ended) return;
    try {
      const { actor } = await this.read();
      if (actor.role !== this.connectedAs.role) return this.end('role_changed');
    } catch (e) {
      const reason = accessEndOf(e);
      if (reason) return this.end(reason);
      // The database is away: keep the connection, but never past the expiry known so far.
      this.deps.logger.warn({ err: serializeError(e) }, 'could not re-check a console connection');
      if (this.expiresAt.getTime() <= Date.now()) return this.end('expired');
    }
  }

  /** Clears the timer; the connection is gone. */
  stop(): void {
    this.ended = true;
    clearTimeout(this.timer);
  }

  private async read(): Promise<MemberAccess> {
    const access = await currentAccess(this.deps.auth, this.sessionId, this.connectedAs.shopId);
    // The console's HTTP requests may have slid the session since: the cut moves with it.
    if (access.expiresAt.getTime() !== this.expiresAt.getTime()) {
      this.expiresAt = access.expiresAt;
      this.schedule();
    }
    return access;
  }

  /** The next re-read: after `refreshMs`, or just after the session's expiry if that comes first. */
  private schedule(): void {
    if (this.ended) return;
    clearTimeout(this.timer);
    const untilExpiry = this.expiresAt.getTime() - Date.now() + 10;
    const wait = Math.max(0, Math.min(MAX_TIMEOUT, this.deps.refreshMs, untilExpiry));
    this.timer = setTimeout(() => void this.tick(), wait);
  }

  private async tick(): Promise<void> {
    await this.check();
    if (this.ended) return;
    await this.deps.onTick().catch((err: unknown) => this.deps.logger.warn({ err: serializeError(err) }, 'console connection refresh failed'));
    this.schedule();
  }

  private end(reason: AccessEnd): void {
    if (this.ended) return;
    this.stop();
    this.socket.emit('access:changed', { shopId: this.connectedAs.shopId, reason });
    this.socket.disconnect();
  }
}

/** The live connections of this process by person, for re-checks when their access changes. */
export class LiveAccessRegistry {
  private readonly byUser = new Map<string, Set<LiveAccess>>();

  add(access: LiveAccess): void {
    const userId = access.connectedAs.userId;
    let set = this.byUser.get(userId);
    if (!set) this.byUser.set(userId, (set = new Set()));
    set.add(access);
  }

  remove(access: LiveAccess): void {
    const userId = access.connectedAs.userId;
    const set = this.byUser.get(userId);
    set?.delete(access);
    if (set?.size === 0) this.byUser.delete(userId);
  }

  /** Re-checks the person's connections (to `shopId` only, when given). */
  async recheck(userId: string, shopId: string | null): Promise<void> {
    const all = [...(this.byUser.get(userId) ?? [])].filter((a) => shopId === null || a.connectedAs.shopId === shopId);
    await Promise.all(all.map((a) => a.check()));
  }
}
