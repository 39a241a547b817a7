/**
 * Sequence bookkeeping for one conversation's messages, with no React, DOM or socket in it:
 * the console (useConversation) and the customer widget (widget/store.ts and connection.ts)
 * both hold their messages in a MessageLog and catch up with a CatchUp, and tests drive it.
 *
 * Every message has a per-conversation sequence number (1, 2, 3…). A client may only ask to
 * catch up "after N" when it holds everything up to N; the highest number seen is not that
 * number: a live message can arrive before a join is answered, while a catch-up is failing, or
 * after a broadcast that died with a server process, and then it sits past a gap. So the log
 * keeps `contiguous` (everything up to it is held, or the server said it is not for this
 * viewer) apart from the highest number it has heard of, and a catch-up always starts from
 * `contiguous`.
 */

export interface Sequenced {
  id: string;
  seq: number;
}

/** A `sync` answer: messages after the asked seq, in order, a page at a time. */
export interface SyncPage<M> {
  messages: M[];
  /** The conversation's last seq when the server answered. */
  lastSeq: number;
  /** More after the page's last message: ask again from it. */
  more: boolean;
}

/** The messages held, once each by id and by seq, and how far they are complete. */
export class MessageLog<M extends Sequenced> {
  private readonly bySeq = new Map<number, M>();
  private readonly ids = new Set<string>();
  private sorted: M[] | null = [];
  /** Everything up to here is held, or known not to be visible to this viewer. */
  contiguous = 0;
  /** The highest seq known to exist: from messages seen, and from the server's `lastSeq`. */
  private known = 0;

  /** Adds messages not held yet (a message already held by id or by seq is left as it is); answers whether any was new. */
  add(messages: readonly M[]): boolean {
    let added = false;
    for (const m of messages) {
      if (this.ids.has(m.id) || this.bySeq.has(m.seq) || m.seq <= 0) continue;
      this.bySeq.set(m.seq, m);
      this.ids.add(m.id);
      this.known = Math.max(this.known, m.seq);
      added = true;
    }
    if (added) {
      this.sorted = null;
      this.advance();
    }
    return added;
  }

  /**
   * Takes in a sync answer to "after `afterSeq`". It holds every message the viewer may see
   * from there to its last message, or, on its last page, up to the server's `lastSeq` (a
   * number missing in it is a message this viewer does not get: an internal note for a
   * customer, a message merged away).
   */
  synced(afterSeq: number, page: SyncPage<M>): void {
    this.add(page.messages);
    this.known = Math.max(this.known, page.lastSeq);
    // An answer that starts past `contiguous` says nothing about what lies before it.
    if (afterSeq > this.contiguous) return;
    const last = page.messages[page.messages.length - 1]?.seq ?? afterSeq;
    this.contiguous = Math.max(this.contiguous, page.more ? last : Math.max(last, page.lastSeq));
    this.advance();
  }

  /**
   * The conversation has messages up to `seq` (its `lastSeq` in a join answer or an update,
   * a read mark): a message whose own broadcast was lost, or one merged in, is then missing
   * even if no later message comes to show the gap.
   */
  heard(seq: number): void {
    this.known = Math.max(this.known, seq);
  }

  /**
   * Everything up to `seq` was held before (a widget's copy from before a page reload, which
   * keeps only the newest messages): older numbers are not asked for again.
   */
  restore(seq: number): void {
    this.contiguous = Math.max(this.contiguous, seq);
    this.known = Math.max(this.known, seq);
    this.advance();
  }

  /** True while some message the viewer may see is not held: a catch-up from `contiguous` is due. */
  get missing(): boolean {
    return this.known > this.contiguous;
  }

  /** The highest seq held. */
  get last(): number {
    let max = 0;
    for (const seq of this.bySeq.keys()) max = Math.max(max, seq);
    return max;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** The messages in sequence order (the same array until something is added). */
  list(): M[] {
    this.sorted ??= [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.sorted;
  }

  private advance(): void {
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous += 1;
  }
}

export interface CatchUpDeps<M> {
  /** One `sync` round trip; rejects when it fails or gets no answer. */
  fetch(afterSeq: number): Promise<SyncPage<M>>;
  /** Whether a round trip can be tried now (a disconnected socket: the reconnect asks again). */
  online(): boolean;
  /** The log took in a page. */
  changed(): void;
  /** A catch-up failed; `retryInMs` null when it is not tried again by itself. */
  failed(error: unknown, retryInMs: number | null): void;
  /** The log is complete again after a failure. */
  recovered?(): void;
  /** Errors not worth retrying (the conversation is gone, or not ours). */
  permanent?(error: unknown): boolean;
  /** The wait before the next try when the error names one (a server's Retry-After); else `retryDelay`. */
  retryIn?(error: unknown, failures: number): number | undefined;
  setTimer?(fn: () => void, ms: number): unknown;
  clearTimer?(handle: unknown): void;
}

/** Waits between failed catch-ups: 1 s, 2 s, 4 s… up to 15 s. */
export const retryDelay = (failures: number) => Math.min(15_000, 1000 * 2 ** Math.max(0, failures - 1));

/**
 * Runs catch-ups for a log: one at a time, from `contiguous`, page by page, again as long as
 * something is missing (a gap a live message showed while one was running), and again after
 * a wait when one fails, until the log is complete.
 */
export class CatchUp<M extends Sequenced> {
  private running = false;
  private wanted = false;
  private failures = 0;
  private timer: unknown = undefined;
  private stopped = false;

  constructor(
    private readonly log: MessageLog<M>,
    private readonly deps: CatchUpDeps<M>,
  ) {}

  /** Catches up now, or right after the catch-up under way. */
  request(): Promise<void> {
    this.wanted = true;
    return this.running ? Promise.resolve() : this.run();
  }

  /** No more round trips or retries (the view closed). */
  stop(): void {
    this.stopped = true;
    this.clearRetry();
  }

  private async run(): Promise<void> {
    this.running = true;
    this.clearRetry();
    try {
      while (this.wanted && !this.stopped && this.deps.online()) {
        this.wanted = false;
        for (;;) {
          const from = this.log.contiguous;
          const page = await this.deps.fetch(from);
          if (this.stopped) return;
          this.log.synced(from, page);
          this.deps.changed();
          if (!page.more || !page.messages.length) break;
        }
        if (this.log.missing) this.wanted = true;
      }
      if (this.failures && !this.stopped) {
        this.failures = 0;
        this.deps.recovered?.();
      }
    } catch (e) {
      if (this.stopped) return;
      this.wanted = true;
      this.failures += 1;
      const retry = this.deps.permanent?.(e) ? null : (this.deps.retryIn?.(e, this.failures) ?? retryDelay(this.failures));
      this.deps.failed(e, retry);
      if (retry !== null) this.timer = (this.deps.setTimer ?? setTimeout)(() => void this.request(), retry);
    } finally {
      this.running = false;
    }
  }

  private clearRetry(): void {
    if (this.timer !== undefined) (this.deps.clearTimer ?? ((h: unknown) => clearTimeout(h as never)))(this.timer);
    this.timer = undefined;
  }
}
