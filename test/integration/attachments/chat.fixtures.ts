import { randomBytes, randomUUID } from 'node:crypto';
import { deflateSync, crc32 } from 'node:zlib';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../server/core/db/client.ts';
import { newSecret, secretHash } from '../../../server/core/secrets.ts';
import { conversations, customerSessions, customers, messages } from '../../../server/domains/conversations/conversations.tables.ts';

/** A real PNG of w×h grey pixels: signature, IHDR, one zlib IDAT, IEND, each chunk with its CRC. */
export function tinyPng(w = 2, h = 2): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, no interlace
  const rows = Buffer.concat(Array.from({ length: h }, () => Buffer.from([0, ...Array<number>(w).fill(0x80)])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF that readers open. */
export const minimalPdf = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
    '',
  ].join('\n'),
  'latin1',
);

/** A Windows program's first bytes ("MZ" header): what must never pass for an image. */
export const fakeExe = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1'), Buffer.alloc(200)]);

export interface TestChat {
  customerId: string;
  conversationId: string;
  /** The widget's bearer token for this customer. */
  token: string;
}

/**
 * A customer with a widget session and one chat, written straight to the tables (the
 * conversation service is built alongside this one). The number is random: unique enough
 * per shop for a test.
 */
export async function makeChat(db: Db, shopId: string): Promise<TestChat> {
  const [c] = await db.insert(customers).values({ shopId, name: '山田 花子', email: `hanako-${randomBytes(3).toString('hex')}@example.jp` }).returning();
  const token = newSecret();
  await db.insert(customerSessions).values({ id: secretHash(token), shopId, customerId: c!.id, expiresAt: new Date(Date.now() + 86_400_000) });
  const [conv] = await db
    .insert(conversations)
    .values({ shopId, number: randomBytes(3).readUIntBE(0, 3), customerId: c!.id, channel: 'chat' })
    .returning();
  return { customerId: c!.id, conversationId: conv!.id, token };
}

/** A message row in the conversation; seq is the next one. */
export async function addMessage(db: Db, shopId: string, conversationId: string, kind: 'text' | 'note' = 'text'): Promise<string> {
  const [m] = await db
    .insert(messages)
    .values({
      shopId,
      conversationId,
      seq: sql`(select coalesce(max(seq), 0) + 1 from messages where conversation_id = ${conversationId})`,
      clientId: randomUUID(),
      authorKind: kind === 'note' ? 'agent' : 'customer',
      authorName: 'テスト',
      kind,
      body: kind,
    })
    .returning();
  return m!.id;
}
