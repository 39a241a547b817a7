import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { DomainBus } from '../../../server/core/bus.ts';
import { createLogger } from '../../../server/core/logger.ts';
import { broadcastChat, type Broadcaster } from '../../../server/domains/conversations/conversations.broadcast.ts';
import { PresenceStore } from '../../../server/domains/conversations/presence.ts';
import { insertShop } from '../../../server/domains/shops/shops.repository.ts';
import { testDatabase } from '../../helpers/db.ts';
import { redisPrefix } from '../../helpers/env.ts';
import { eventually } from '../../helpers/eventually.ts';
import { testRedis } from '../../helpers/redis.ts';

/**
 * A shutdown stops the chat's broadcasts, then closes the sockets (each console that goes tells
 * of a presence change) and then the database. A listener that still read the database after
 * the stop failed on the closed database and logged an error for every agent connected.
 */
describe('[pglite] the chat broadcaster after stop', () => {
  it('reads nothing for a presence change, a mention or a changed conversation, so a closed database logs no failure; before stop, a presence change goes out', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
    const bus = new DomainBus(logger);
    const sent: string[] = [];
    // The Socket.IO server's surface broadcastChat uses, recording what would go out.
    const out: Broadcaster = {
      of: () => ({
        to: () => {
          const emitter = { emit: (event: string) => sent.push(event), except: () => emitter };
          return emitter;
        },
        serverSideEmit: () => undefined,
      }),
    };
    const database = await testDatabase('pglite');
    let closed = false;
    try {
      const stop = broadcastChat(bus, out, { db: database.db, presence: new PresenceStore(testRedis(), `${redisPrefix}broadcast-stop:`), logger });
      const { id: shopId } = await insertShop(database.db, { name: '停止テスト店' });
      const presence = { shopId, userId: randomUUID(), name: '佐藤' };
      const mention = { name: 'mention.created' as const, id: randomUUID(), at: new Date().toISOString(), payload: { shopId, conversationId: randomUUID(), messageId: randomUUID(), userId: randomUUID() } };

      // While running: the presence goes to the consoles and the availability, read from the database, to the widgets.
      bus.publish('presence.changed', presence);
      await eventually(async () => sent.length === 2, 'the presence and the availability');
      expect(sent).to.deep.equal(['presence', 'availability']);
      expect(lines, 'no failure while the database is open').to.deep.equal([]);

      stop();
      await database.close();
      closed = true;
      bus.publish('presence.changed', presence);
      bus.publishEvent(mention);
      // An inbox row's change is read when its coalescing window (150 ms) ends.
      bus.publish('conversation.changed', { shopId, conversationId: randomUUID() });
      // Without the checks each logs its failure once it reads: the closed PGlite refuses at once.
      await new Promise((r) => setTimeout(r, 300));
      expect(lines, 'nothing was read from the closed database').to.deep.equal([]);
      expect(sent).to.have.length(2);
    } finally {
      if (!closed) await database.close();
    }
  });
});
