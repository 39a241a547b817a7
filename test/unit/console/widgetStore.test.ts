import { expect } from 'chai';
import type { CustomerConversationDto, MessageDto } from '../../../server/domains/conversations/conversations.dto.ts';
import { Store } from '../../../agent-console/widget/store.ts';

/** The browser's localStorage, as the widget uses it (Node has none). */
class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const conversation = (lastSeq: number): CustomerConversationDto => ({ id: 'c1', number: 1, status: 'open', lastSeq, agentReadSeq: 0, createdAt: '2025-01-01T00:00:00Z' });
const message = (seq: number, authorKind: MessageDto['authorKind'] = 'agent', clientId = `client-${seq}`): MessageDto => ({
  id: `m${seq}`,
  conversationId: 'c1',
  seq,
  clientId,
  authorKind,
  authorName: authorKind === 'customer' ? '山田 花子' : '担当 太郎',
  authorId: null,
  kind: 'text',
  body: `本文${seq}`,
  attachments: [],
  createdAt: '2025-01-01T00:00:00Z',
});
const session = { token: 't', expiresAt: '2999-01-01T00:00:00Z', customer: { id: 'cu', name: '山田 花子', verified: false }, identitySub: null, orderNumber: null };

describe('the widget’s store keeps its messages in the console’s MessageLog', () => {
  const g = globalThis as { localStorage?: unknown };
  beforeEach(() => (g.localStorage = new MemoryStorage()));
  afterEach(() => delete g.localStorage);

  it('a live message past a gap leaves the gap missing, and a reload still catches up from before it', () => {
    const store = new Store('shop-1');
    store.setSession(session);
    store.setConversation(conversation(3));
    store.addMessages([message(1, 'customer'), message(2), message(3)]);
    expect(store.missing).to.equal(false);
    store.addMessages([message(5)]); // 4 was lost with its broadcast
    expect(store.missing).to.equal(true);
    expect(store.readThrough, 'a read mark does not claim the gap').to.equal(3);

    // The page is reloaded before the catch-up answered.
    const reloaded = new Store('shop-1');
    expect(reloaded.list().map((m) => m.seq)).to.deep.equal([1, 2, 3, 5]);
    expect(reloaded.missing).to.equal(true);
    expect(reloaded.log.contiguous, 'the catch-up starts after 3, not after 5').to.equal(3);
  });

  it('a reload keeps how far the messages are complete though only the newest are kept', () => {
    const store = new Store('shop-1');
    store.setSession(session);
    store.setConversation(conversation(150));
    store.addMessages(Array.from({ length: 150 }, (_, i) => message(i + 1)));
    const reloaded = new Store('shop-1');
    expect(reloaded.list()).to.have.length(100);
    expect(reloaded.log.contiguous).to.equal(150);
    expect(reloaded.missing).to.equal(false);
  });

  it('a copy saved by an older widget (it kept the highest seq seen, which may lie past a gap) catches up from what it holds without a gap', () => {
    localStorage.setItem('madoguchi:v1:shop-1', JSON.stringify({ session, conversationId: 'c1', status: 'open', agentReadSeq: 0, lastSeq: 5, messages: [message(1), message(2), message(5)], rated: [] }));
    const store = new Store('shop-1');
    expect(store.list().map((m) => m.seq)).to.deep.equal([1, 2, 5]);
    expect(store.log.contiguous).to.equal(2);
    expect(store.missing).to.equal(true);
  });

  it('the customer’s own message leaves the outbox however it comes back (acknowledged, live or in a catch-up page)', () => {
    const store = new Store('shop-1');
    store.setSession(session);
    store.setConversation(conversation(0));
    store.queue({ clientId: 'mine', body: '本文1', attachments: [], createdAt: '2025-01-01T00:00:00Z' });
    store.log.synced(0, { messages: [message(1, 'customer', 'mine')], lastSeq: 1, more: false });
    store.settled();
    expect(store.outbox).to.deep.equal([]);
    expect(new Store('shop-1').outbox).to.deep.equal([]);
  });

  it('a conversation it has heard goes further than what it holds is missing, even with no later message', () => {
    const store = new Store('shop-1');
    store.setSession(session);
    store.setConversation(conversation(1));
    store.addMessages([message(1, 'customer')]);
    store.markAgentRead(2); // the agent read its own reply, whose broadcast was lost
    expect(store.missing).to.equal(true);
    store.setConversation(conversation(3));
    store.log.synced(1, { messages: [message(2), message(3)], lastSeq: 3, more: false });
    expect(store.missing).to.equal(false);
  });
});
