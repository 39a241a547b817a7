import { expect } from 'chai';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { TestClient } from '../../helpers/client.ts';
import { makeShop, type TestShop } from '../../fixtures/builders.ts';
import { customerChat, customerSays } from './queue.helpers.ts';

/** A sample's value from Prometheus' text format, 0 when the series is absent. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

describe('the group commit at /metrics', () => {
  let server: TestServer;
  let shop: TestShop;
  before(async () => {
    server = await startServer('postgres');
    shop = await makeShop(server.database);
  });
  after(() => server.close());

  it('counts each message’s wait for its batch and its whole write, each transaction and each batch’s size, and shows no message', async () => {
    const anon = new TestClient(server.url);
    const before = (await anon.get('/metrics')).text;
    const chat = await customerChat(server, shop.id);
    await customerSays(chat, '箱が潰れて届きました');
    await customerSays(chat, '交換できますか');
    const after = (await anon.get('/metrics')).text;
    const grew = (series: string) => sample(after, series) - sample(before, series);
    expect(grew('chat_write_queued_seconds_count')).to.equal(2);
    expect(grew('chat_write_written_seconds_count')).to.equal(2);
    // One message at a time: a batch and a committed transaction each.
    expect(grew('chat_write_batch_messages_sum')).to.equal(2);
    expect(grew('chat_write_transaction_seconds_count{outcome="committed"}')).to.equal(2);
    expect(grew('chat_write_transaction_seconds_count{outcome="failed"}')).to.equal(0);
    expect(after).to.not.include('箱が潰れて');
    chat.w.disconnect();
  });
});
