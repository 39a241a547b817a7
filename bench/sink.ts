/**
 * The benches' local mail server, in a process of its own (forked by bench/notices.ts): it
 * takes every mail and counts it, without parsing, so neither its work nor its event loop is
 * part of what is measured. Says `{ port }` once listening; answers `'count'` with `{ count }`.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

let n = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  disableReverseLookup: true,
  onData(stream, _s, done) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      n++;
      done();
    });
  },
});
// A sender that goes away mid-mail resets its connection: the sink goes on.
server.on('error', () => undefined);
server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.server.address() as AddressInfo).port }));
process.on('message', (m) => {
  if (m === 'count') process.send?.({ count: n });
  if (m === 'close') server.close(() => process.exit(0));
});
