import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { z, type ZodType } from 'zod';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { dbKinds } from '../../helpers/env.ts';
import { agentClient, ask, cid, connected, widgetClient } from '../../helpers/sockets.ts';
import { makeShop, signedIn, type TestShop } from '../../fixtures/builders.ts';
import { newCustomer } from '../../fixtures/chat.ts';
import { agentEvents, widgetEvents } from './fuzz.sockets.ts';

/**
 * Text PostgreSQL cannot store (a NUL character) in every field of every socket event, on
 * /widget and /agent: each is refused with `invalid_input` naming the field, never `internal`
 * (the database's refusal of the statement). The events and their fields come from the socket
 * schemas, so a new event or field is covered without an edit here.
 */
const NUL = 'ヌル\u0000文字';

/** A payload each event takes, with the real objects of the test. */
function validPayload(event: string, ids: { conversationId: string }): Record<string, unknown> {
  const base: Record<string, Record<string, unknown>> = {
    'conversation:open': { subject: '返品について', orderNumber: 'T-1' },
    'conversation:join': { conversationId: ids.conversationId },
    'conversation:leave': { conversationId: ids.conversationId },
    'message:send': { conversationId: ids.conversationId, clientId: cid(), body: 'こんにちは' },
    sync: { conversationId: ids.conversationId, afterSeq: 0 },
    typing: { conversationId: ids.conversationId, typing: true },
    read: { conversationId: ids.conversationId, seq: 0 },
    'presence:set': { status: 'online' },
    'work:heartbeat': { conversationId: ids.conversationId },
    'csat:rate': { conversationId: ids.conversationId, rating: 5, comment: 'ありがとう' },
  };
  const p = base[event];
  if (!p) throw new Error(`no valid payload for the new event ${event}: add one here`);
  return { ...p };
}

/** Every field of an event's payload that can carry text, and how to put NUL into it. */
function nulVariants(schema: ZodType, valid: Record<string, unknown>): Array<{ field: string; payload: Record<string, unknown> }> {
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { type?: string; items?: unknown }> };
  return Object.entries(js.properties ?? {}).flatMap(([field, p]) => {
    if (p.type === 'array') return [{ field, payload: { ...valid, [field]: [NUL] } }];
    if (p.type === 'boolean' || p.type === 'number' || p.type === 'integer') return [];
    const was = valid[field];
    return [{ field, payload: { ...valid, [field]: typeof was === 'string' ? `${was}${NUL}` : NUL } }];
  });
}

for (const kind of dbKinds) {
  describe(`[${kind}] socket events refuse text the database cannot store with invalid_input`, () => {
    let server: TestServer;
    let shop: TestShop;
    const open: Socket[] = [];

    before(async () => {
      server = await startServer(kind, { socketLimits: { rate: 100_000, burst: 100_000 } });
      shop = await makeShop(server.database);
    });
    after(async () => {
      for (const s of open) s.disconnect();
      await server.close();
    });

    async function refusesNulEverywhere(socket: Socket, events: Record<string, ZodType>, conversationId: string) {
      const checked: string[] = [];
      for (const [event, schema] of Object.entries(events)) {
        for (const { field, payload } of nulVariants(schema, validPayload(event, { conversationId }))) {
          const a = await ask(socket, event, payload);
          const what = `${event}.${field}: ${JSON.stringify(a)}`;
          expect(a.error, what).to.equal('invalid_input');
          expect(a.details.map((d: { path: string }) => d.path.split('.')[0]), what).to.include(field);
          checked.push(`${event}.${field}`);
        }
        // The event still works afterwards: nothing was half done, the connection stands.
        expect(socket.connected, event).to.equal(true);
      }
      return checked;
    }

    /** A customer's connected widget and their open conversation. */
    async function widgetWithChat() {
      const c = await newCustomer(server.url, shop.id);
      const w = widgetClient(server.url, shop.id, c.token);
      open.push(w);
      await connected(w);
      return { w, conversationId: (await ask(w, 'conversation:open', {})).conversation.id as string };
    }

    it('on /widget: every text field of every event, the csat comment and the subject included', async () => {
      const { w, conversationId } = await widgetWithChat();
      // Resolved, so that a rating reaches the database.
      const owner = await signedIn(server.url, shop.people.owner);
      expect((await owner.patch(`/api/shops/${shop.id}/conversations/${conversationId}`, { status: 'resolved' })).status).to.equal(200);
      const checked = await refusesNulEverywhere(w, widgetEvents, conversationId);
      expect(checked).to.include.members(['csat:rate.comment', 'conversation:open.subject', 'message:send.body', 'message:send.clientId']);
      // A valid rating afterwards is taken: the refusals left nothing behind.
      expect((await ask(w, 'csat:rate', { conversationId, rating: 4, comment: 'よかったです' })).ok).to.equal(true);
    });

    it('on /agent: every text field of every event', async () => {
      const { conversationId } = await widgetWithChat();
      const owner = await signedIn(server.url, shop.people.owner);
      const a = agentClient(server.url, shop.id, owner.cookie);
      open.push(a);
      await connected(a);
      const checked = await refusesNulEverywhere(a, agentEvents, conversationId);
      expect(checked).to.include.members(['message:send.body', 'message:send.mentions', 'presence:set.status']);
    });
  });
}
