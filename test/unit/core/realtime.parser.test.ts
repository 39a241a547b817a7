import { expect } from 'chai';
import notepack from 'notepack.io';
import { broadcastParser } from '../../../server/core/realtime.ts';

/**
 * The processes of one deployment exchange broadcasts through Redis; during an upgrade some
 * still write them with notepack.io (the adapter's default before) and some with msgpackr.
 * Each must read the other's, as Socket.IO's adapter sends them: [uid, packet, options].
 */
describe('broadcasts between processes: MessagePack read and written both ways', () => {
  const message = [
    'Ab12Cd',
    { type: 2, data: ['message', { id: '0b6d9a8e-8a4a-4c1e-9a47-3b0f1d7a2c11', seq: 42, sentAt: 1796480902103, negative: -5_000_000_000, body: '配送はいつですか？ 🙏', attachments: [], statusEvent: null, editedAt: undefined, at: new Date('2026-12-05T01:02:03.456Z') }], nsp: '/agent' },
    { rooms: ['conversation:1', 'conversation:2'], except: ['socket-1'], flags: { volatile: false } },
  ];

  it('reads what notepack.io wrote exactly as notepack.io does, dates included', () => {
    const written = notepack.encode(message) as Buffer;
    const read = broadcastParser.decode(written) as [string, { data: [string, Record<string, unknown>] }, unknown];
    expect(read).to.deep.equal(notepack.decode(written));
    // notepack.io leaves out a key whose value is undefined, as JSON does; Socket.IO's clients get JSON anyway.
    expect(read[1].data[1]).to.not.have.property('editedAt');
    expect(read[1].data[1].at).to.deep.equal(new Date('2026-12-05T01:02:03.456Z'));
  });

  it('reads integers beyond 32 bits, as notepack.io writes them, as numbers (a BigInt would break Socket.IO’s JSON)', () => {
    const read = broadcastParser.decode(notepack.encode({ sentAt: 1796480902103, negative: -5_000_000_000 }) as Buffer);
    expect(read).to.deep.equal({ sentAt: 1796480902103, negative: -5_000_000_000 });
    expect(JSON.stringify(read)).to.equal('{"sentAt":1796480902103,"negative":-5000000000}');
  });

  it('writes what notepack.io reads', () => {
    expect(notepack.decode(broadcastParser.encode(message))).to.deep.equal(message);
  });

  it('gives each message a buffer of its own: a later one does not overwrite an earlier one still queued for Redis', () => {
    const first = broadcastParser.encode(message);
    const copy = Buffer.from(first);
    for (let i = 0; i < 2000; i++) broadcastParser.encode({ filler: 'x'.repeat(i % 500) });
    expect(first.equals(copy)).to.equal(true);
  });
});
