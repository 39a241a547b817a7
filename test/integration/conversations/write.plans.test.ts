import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { Db } from '../../../server/core/db/client.ts';
import { transact } from '../../../server/events/commit.ts';
import type { Author } from '../../../server/domains/conversations/conversations.types.ts';
import { writeMessages, type SendRequest } from '../../../server/domains/conversations/conversations.write.ts';
import { insertPolicy } from '../../../server/domains/sla/sla.repository.ts';
import { ownPostgresDatabase } from '../../helpers/db.ts';
import { dbKinds } from '../../helpers/env.ts';
import { makeShop } from '../../fixtures/builders.ts';
import { makeChat } from '../attachments/chat.fixtures.ts';

const TABLES = '(conversations|messages|sla_clocks|shops|business_hours|sla_policies)';

/** The statement an auto_explain notice is about. */
const statementOf = (n: string) => /Query Text: ([^]*?)\n[A-Z]/.exec(n)?.[1] ?? '';

/**
 * Each index scan of the chat's tables in an auto_explain plan, with the lines under it (its
 * conditions, up to the next node): a scan with no Index Cond reads the whole index. A bitmap
 * scan names only its index, which is named after its table.
 */
function indexScans(plan: string): Array<{ head: string; body: string }> {
  const scan = new RegExp(`Index (Only )?Scan( Backward)? using \\S+ on ${TABLES}\\b|Bitmap Index Scan on ${TABLES}_\\w+`);
  const lines = plan.split('\n');
  const out: Array<{ head: string; body: string }> = [];
  lines.forEach((line, i) => {
    if (!scan.test(line)) return;
    const depth = line.search(/\S/);
    const body: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (next.search(/\S/) <= depth || /->/.test(next)) break;
      body.push(next);
    }
    out.push({ head: line.trim(), body: body.join('\n') });
  });
  return out;
}

/**
 * The group commit's two functions plan their statements once per connection (generic plans)
 * and must keep to the indexes whatever the tables held when that happened: a plan made in a
 * new database, whose tables hold a few rows, stays in use as they grow to millions. PostgreSQL's
 * auto_explain prints each statement the functions run, with the plan it ran.
 */
if (dbKinds.includes('postgres')) {
  describe('[postgres] the chat write functions’ plans', function () {
    this.timeout(30_000);

    /**
     * Eight batches on a connection of their own (more than PostgreSQL's five custom plans before
     * it settles on one), two customers' conversations, two sends each; the last batch resends
     * the first one's client ids. Answers the plans of the functions' own statements.
     */
    async function plansOfEightBatches(opts: { analyzeFirst: boolean }): Promise<string[]> {
      // A new database of its own for each test: the plans depend on the tables' rows and
      // statistics, which must be neither the other test's nor the rest of the suite's.
      const { database, url, drop } = await ownPostgresDatabase(`plans_${opts.analyzeFirst ? 'analyzed' : 'new'}`, { max: 2 });
      const shop = await makeShop(database);
      await insertPolicy(database.db, { shopId: shop.id, name: '標準', firstResponseMinutes: 60, resolutionMinutes: 24 * 60 });
      const chats = [await makeChat(database.db, shop.id), await makeChat(database.db, shop.id)];
      const authors: Author[] = chats.map((c) => ({ kind: 'customer', principal: { shopId: shop.id, customerId: c.customerId, customer: { id: c.customerId, name: '山田 花子' } } }));
      if (opts.analyzeFirst) await database.db.execute(sql`analyze`);
      // One connection of its own, whose plans are cached and told: auto_explain sends each as a notice.
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const notices: string[] = [];
      client.on('notice', (n) => notices.push(String(n.message)));
      await client.query("load 'auto_explain'");
      await client.query('set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on; set auto_explain.log_level = notice; set client_min_messages = notice');
      const db = drizzlePg(client) as unknown as Db;
      const sent: string[] = [];
      try {
        for (let i = 0; i < 8; i++) {
          const reqs: SendRequest[] = authors.flatMap((author, k) => [0, 1].map(() => ({ author, input: { conversationId: chats[k]!.conversationId, clientId: randomUUID() as string, body: `第${i}便`, kind: 'text' as const } })));
          // The last batch sends the first one's client ids again: found stored, answered as duplicates.
          if (i === 7) reqs.push(...reqs.slice(0, 2).map((r, j) => ({ ...r, input: { ...r.input, clientId: sent[j]! } })));
          const { outcomes } = await transact(db, { poke: () => undefined, timing: { replyMailDelayMs: 60_000 } }, (tx, out) => writeMessages(tx, reqs, { now: new Date() }, out));
          expect(outcomes.map((o) => o.ok && o.sent.duplicate)).to.deep.equal(i === 7 ? [false, false, false, false, true, true] : [false, false, false, false]);
          if (i === 0) sent.push(...reqs.map((r) => r.input.clientId));
        }
      } finally {
        await client.end();
        await drop();
      }
      // The functions' own statements, known by their parameters' names: three a batch (the lock, the reads, the write).
      const inFunctions = notices.filter((n) => /\b(p_conversation_ids|v_locked|c_shop_id)\b/.test(statementOf(n)));
      return inFunctions;
    }

    /** Three statements a batch, none of which scans a table or reads a shop's rows through an index that leads with the shop. */
    function expectKeyedPlans(inFunctions: string[]) {
      expect(inFunctions.filter((n) => /FOR UPDATE/.test(statementOf(n))), 'the lock').to.have.length(8);
      expect(inFunctions.filter((n) => /WITH locked/.test(statementOf(n))), 'the reads').to.have.length(8);
      expect(inFunctions.filter((n) => /INSERT INTO messages/.test(statementOf(n))), 'the write').to.have.length(8);
      for (const p of inFunctions) {
        expect(p, p).to.not.match(new RegExp(`Seq Scan on ${TABLES}`));
        // An index that leads with the shop (or reads a conversation's every message) would read a whole shop once the tables are big.
        expect(p, p).to.not.match(/using (conversations_shop_\w+|conversations_waiting_idx|sla_clocks_shop_due_idx|messages_conversation_seq_key)/);
      }
      const all = inFunctions.join('\n');
      for (const index of ['conversations_pkey', 'messages_conversation_client_key', 'sla_clocks_conversation_id_metric_pk', 'shops_pkey']) expect(all).to.include(index);
    }

    it('look rows up by index in a new, nearly empty database, batch after batch, and print no sequential scan', async () => {
      expectKeyedPlans(await plansOfEightBatches({ analyzeFirst: false }));
    });

    /**
     * Statistics taken while the tables were small (autovacuum's first ANALYZE of a new
     * database, or PGlite's upkeep) say a table holds a row or none. A plan made then may scan
     * that table's whole index as the outer side of a join, which costs nothing while it is
     * small and reads every row at each batch once it has grown, until the next ANALYZE.
     */
    it('look each row up by its key also when the statistics say the tables are nearly empty', async () => {
      const inFunctions = await plansOfEightBatches({ analyzeFirst: true });
      expectKeyedPlans(inFunctions);
      for (const p of inFunctions) {
        const scans = indexScans(p);
        expect(scans, `index scans in\n${p}`).to.not.be.empty;
        for (const scan of scans) expect(scan.body, `${scan.head}\n${p}`).to.match(/Index Cond:/);
      }
    });
  });
}
