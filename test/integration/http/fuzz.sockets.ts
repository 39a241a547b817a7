/**
 * The Socket.IO side of the fuzz: malformed payloads, generated from the handlers' zod schemas,
 * to every event a connected socket listens to, on /widget and /agent. Every emit that carries
 * an ack must get `{ ok: true }` or `{ error: <a code of ours>, message }`, never `internal`,
 * and the connection must stay up.
 */
import type { Socket } from 'socket.io-client';
import { z, type ZodType } from 'zod';
import { errorStatus } from '../../../server/core/errors.ts';
import type { AgentClientEvents, WidgetClientEvents } from '../../../server/domains/conversations/conversations.socket.events.ts';
import {
  conversationRef,
  openPayload,
  presencePayload,
  readPayload,
  sendPayload,
  syncPayload,
  typingPayload,
} from '../../../server/domains/conversations/conversations.schema.ts';
import { csatPayload } from '../../../server/domains/conversations/conversations.socket.ts';
import { hostileValue, mutate, validValue, type Json, type Rng, type Schema } from './fuzz.gen.ts';

/** The payload schema of every client event, as the handlers parse them. */
export const widgetEvents = {
  'conversation:open': openPayload,
  'message:send': sendPayload,
  sync: syncPayload,
  typing: typingPayload,
  read: readPayload,
  'csat:rate': csatPayload,
} satisfies Record<keyof WidgetClientEvents, ZodType>;

export const agentEvents = {
  'conversation:join': conversationRef,
  'conversation:leave': conversationRef,
  'message:send': sendPayload,
  sync: syncPayload,
  typing: typingPayload.extend({ note: z.boolean().optional() }),
  read: readPayload,
  'presence:set': presencePayload,
  'work:heartbeat': conversationRef,
} satisfies Record<keyof AgentClientEvents, ZodType>;

const jsonSchemas = new Map<ZodType, Schema>();
const jsonSchemaOf = (s: ZodType): Schema => {
  let js = jsonSchemas.get(s);
  if (!js) jsonSchemas.set(s, (js = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Schema));
  return js;
};

export interface Emit {
  n: number;
  event: string;
  /** The arguments before the ack: none, one payload, or a payload and extras. */
  args: Json[];
  withAck: boolean;
}

/**
 * One emit for an event: near-valid, one field made hostile, a hostile value for the whole
 * payload, no payload at all, or extra arguments. Socket.IO refuses packets over 256 kB by
 * closing the connection (server/core/realtime.ts), so hostile strings stay well under it.
 */
export function planEmit(n: number, events: Record<string, ZodType>, r: Rng, known: (name: string) => string | undefined): Emit {
  const event = r.pick(Object.keys(events));
  const near = validValue(jsonSchemaOf(events[event]!), r, known);
  const shape = r.int(10);
  const args: Json[] =
    shape < 2 ? [near]
    : shape < 6 ? [mutate(near, r, 60_000)]
    : shape < 8 ? [hostileValue(r, 60_000)]
    : shape < 9 ? []
    : [near, hostileValue(r, 1000)];
  return { n, event, args, withAck: shape === 0 ? r.chance(0.5) : true };
}

const codes = new Set(Object.keys(errorStatus));

/** What is wrong with an ack's answer, or undefined. */
export function ackProblem(answer: unknown): string | undefined {
  if (!answer || typeof answer !== 'object') return `answered ${JSON.stringify(answer)}`;
  const a = answer as { ok?: unknown; error?: unknown; message?: unknown };
  if (a.ok === true) return undefined;
  if (typeof a.error !== 'string' || !codes.has(a.error) || typeof a.message !== 'string') return `answered ${JSON.stringify(answer).slice(0, 200)}`;
  return undefined;
}

/** Sends one emit; the ack's answer, or a problem when none came. */
export async function emit(socket: Socket, e: Emit): Promise<string | undefined> {
  if (!socket.connected) return 'the connection had dropped';
  if (!e.withAck) {
    socket.emit(e.event, ...e.args);
    return undefined;
  }
  try {
    const answer: unknown = await socket.timeout(5000).emitWithAck(e.event, ...e.args);
    return ackProblem(answer);
  } catch {
    return socket.connected ? 'no ack within 5 s' : 'the connection dropped';
  }
}

export const describeEmit = (e: Emit) => `#${e.n} ${e.event}(${JSON.stringify(e.args).slice(0, 200)})${e.withAck ? '' : ' without ack'}`;
