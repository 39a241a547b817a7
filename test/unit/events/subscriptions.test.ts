import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { eventCatalog, eventNames, returnEventNames, type DomainEvent, type EventName } from '../../../server/events/catalog.ts';
import { loadConfig } from '../../../server/config.ts';
import { DomainBus, type LiveName } from '../../../server/core/bus.ts';
import { chatSink } from '../../../server/domains/conversations/conversations.service.ts';
import { Outgoing, type EventSink } from '../../../server/events/commit.ts';
import { eventOfJob } from '../../../server/events/listeners.ts';
import { listenerRows, listenerTiming, listenerTopic, subscriptions } from '../../../server/events/subscriptions.ts';

const shopId = randomUUID();
const conversationId = randomUUID();
const at = '2026-12-04T09:00:00.000Z';
const message = (authorKind: 'customer' | 'agent' | 'system', kind: 'text' | 'note' | 'event'): DomainEvent<'message.created'> => ({
  name: 'message.created',
  id: randomUUID(),
  at,
  payload: { shopId, conversationId, messageId: randomUUID(), seq: 3, authorKind, kind },
});
const approved = (): DomainEvent<'return.approved'> => ({ name: 'return.approved', id: randomUUID(), at, payload: { shopId, returnId: randomUUID(), number: 12, status: 'approved' } });

describe('domain events and their listeners', () => {
  it('has one event per status a return enters, plus the filing and the reminder', () => {
    expect(returnEventNames).to.include.members(['return.requested', 'return.needs_review', 'return.approved', 'return.refunded', 'return.ship_reminder']);
    expect(eventNames).to.include.members(['conversation.created', 'message.created', 'mention.created', 'sla.at_risk', 'sla.breached', 'csat.received']);
  });

  it('gives every listener of an event its own row: its own topic and key, the event’s id in both', () => {
    const e = approved();
    const rows = listenerRows([e], { replyMailDelayMs: 60_000 });
    expect(rows.map((r) => r.topic).sort()).to.deep.equal([
      listenerTopic('return.approved', 'return-chat-notice'),
      listenerTopic('return.approved', 'return-customer-mail'),
      // Its Slack alerts, already posted, updated in place.
      listenerTopic('return.approved', 'slack-return-update'),
    ]);
    expect(new Set(rows.map((r) => r.dedupeKey)).size, 'keys apart').to.equal(3);
    for (const r of rows) {
      expect(r.dedupeKey).to.include(e.id);
      expect(r.shopId).to.equal(shopId);
      expect(r.payload).to.deep.equal({ eventId: e.id, at, ...e.payload });
      expect(r.runAt, 'at once').to.equal(undefined);
    }
  });

  it('makes a reply-mail job only for an agent’s reply, due after the configured delay', () => {
    const timing = { replyMailDelayMs: 90_000 };
    for (const e of [message('customer', 'text'), message('agent', 'note'), message('system', 'event')]) expect(listenerRows([e], timing), `${e.payload.authorKind} ${e.payload.kind}`).to.deep.equal([]);
    const [row, ...more] = listenerRows([message('agent', 'text')], timing);
    expect(more).to.deep.equal([]);
    expect(row!.topic).to.equal('message.created>reply-mail');
    expect(row!.runAt!.toISOString()).to.equal(new Date(Date.parse(at) + 90_000).toISOString());
  });

  it('gives every sink the timing of the configuration; a sink without timing does not compile', () => {
    const timing = listenerTiming(loadConfig({ NODE_ENV: 'test', REPLY_MAIL_DELAY_SECONDS: '90' }));
    expect(timing).to.deep.equal({ replyMailDelayMs: 90_000 });
    expect(chatSink({ poke: () => undefined, bus: new DomainBus(), timing }).timing).to.equal(timing);
    // The type check of the test files is this test: were timing optional, the directive would be unused, an error.
    // @ts-expect-error timing is required
    const bare: EventSink = { poke: () => undefined };
    // @ts-expect-error chatSink takes the timing too
    chatSink({ poke: () => undefined, bus: new DomainBus() });
    expect(bare).to.not.have.property('timing');
  });

  it('names live-only updates apart from the domain events (a stored message live is `message.live`, the event `message.created`)', () => {
    // The type check of the test files is this test: a live update named like an event makes `apart` false.
    const apart: [Extract<LiveName, EventName>] extends [never] ? true : false = true;
    expect(apart).to.equal(true);
    expect(eventNames).to.include('message.created');
  });

  it('names every listener once, and subscribes each only to events of the catalog', () => {
    const names = subscriptions.map((s) => s.listener);
    expect(new Set(names).size).to.equal(names.length);
    for (const s of subscriptions) for (const e of s.events) expect(eventCatalog).to.have.property(e);
  });

  it('reads a listener’s job back as the event, and refuses one that does not match the catalog for good', () => {
    const e = approved();
    const [row] = listenerRows([e], { replyMailDelayMs: 0 });
    expect(eventOfJob('return.approved', { ...row!.payload, shopId })).to.deep.equal(e);
    const bad = [{ ...row!.payload, shopId, status: 'teleported' }, { ...row!.payload, shopId, eventId: undefined }, { ...row!.payload, shopId, returnId: 'nope' }];
    for (const data of bad) expect(() => eventOfJob('return.approved', data)).to.throw().with.property('code', 'invalid_input');
  });

  it('keeps what a transaction said for after its commit, and a repeat of one occurrence under one id', () => {
    const out = new Outgoing();
    out.emit('return.ship_reminder', { shopId, returnId: randomUUID(), number: 3, status: 'awaiting_shipment' }, { id: 'remind-x-1' });
    out.emit('csat.received', { shopId, conversationId, rating: 5 });
    expect(out.events.map((e) => [e.name, e.id === 'remind-x-1'])).to.deep.equal([
      ['return.ship_reminder', true],
      ['csat.received', false],
    ]);
  });
});

describe('the Slack alerts among the listeners', () => {
  const csat = (rating: number): DomainEvent<'csat.received'> => ({ name: 'csat.received', id: randomUUID(), at, payload: { shopId, conversationId: randomUUID(), rating } });

  it('alerts on a CSAT of 1 or 2 only, each alert its own job', () => {
    const topics = (e: DomainEvent) => listenerRows([e], { replyMailDelayMs: 0 }).map((r) => r.topic);
    expect(topics(csat(2))).to.deep.equal([listenerTopic('csat.received', 'slack-csat-low')]);
    expect(topics(csat(3))).to.deep.equal([]);
  });
});
