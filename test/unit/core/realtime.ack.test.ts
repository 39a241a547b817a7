import { PGlite } from '@electric-sql/pglite';
import { expect } from 'chai';
import { drizzle } from 'drizzle-orm/pglite';
import { sql } from 'drizzle-orm';
import type { Socket } from 'socket.io';
import { z } from 'zod';
import { createLogger } from '../../../server/core/logger.ts';
import { ConnectionLimiter, defaultSocketLimits, handler } from '../../../server/core/realtime.ts';

/**
 * A socket event whose statement the database refuses because of the input (bad text
 * encoding, invalid syntax for the type, too long, out of range) is answered like REST
 * answers it: `invalid_input`, never `internal`. The refusals are real PostgreSQL (PGlite)
 * errors, wrapped by Drizzle as the services see them.
 */
describe('socket acks of a database refusal', function () {
  this.timeout(20_000);
  let pg: PGlite;
  let db: ReturnType<typeof drizzle>;
  before(async () => {
    pg = await PGlite.create();
    db = drizzle(pg);
    await pg.exec('create table short_text (v varchar(3))');
  });
  after(() => pg.close());

  const ack = (fn: () => Promise<unknown>) =>
    new Promise<Record<string, unknown>>((done) => {
      const socket = { disconnect: () => undefined } as unknown as Socket;
      const run = handler(socket, new ConnectionLimiter(100, 100), defaultSocketLimits, createLogger('silent'), z.object({}), async () => void (await fn()));
      void run({}, done);
    });

  it('answers invalid_input for 22P02, 22021, 22001 and 22003, not internal', async () => {
    const refusals = {
      '22P02': () => db.execute(sql`select ${'not-a-uuid'}::uuid`),
      '22021': () => db.execute(sql`select convert_from('\\x00'::bytea, 'UTF8')`),
      '22001': () => db.execute(sql`insert into short_text (v) values (${'far too long'})`),
      '22003': () => db.execute(sql`select ${'99999999999'}::int`),
    };
    for (const [state, query] of Object.entries(refusals)) {
      const answer = await ack(query);
      expect(answer, state).to.include({ error: 'invalid_input' });
      // The database's own message quotes the values: it is never passed on.
      expect(JSON.stringify(answer), state).to.not.match(/not-a-uuid|far too long|99999999999/);
    }
  });

  it('still answers internal for a failure that is nobody\'s input', async () => {
    expect(await ack(() => db.execute(sql`select * from no_such_table`))).to.include({ error: 'internal' });
  });
});
