import { request } from 'node:http';

export interface Early {
  status: number;
  /** The answer's body: parsed when it is JSON, else its text. */
  body: any;
  headers: Record<string, string | string[] | undefined>;
  /** Body bytes the client had written when the answer came. */
  sent: number;
}

/**
 * Starts a request that announces `length` body bytes, writes only `first` (by default 64 KB),
 * and waits for the answer without sending the rest. A server that reads the body before it
 * checks the caller never answers: the deadline turns that into a failure that says so.
 */
export function answeredBeforeBody(
  url: string,
  path: string,
  headers: Record<string, string>,
  length: number,
  opts: { first?: Buffer; deadlineMs?: number } = {},
): Promise<Early> {
  const deadlineMs = opts.deadlineMs ?? 10_000;
  return new Promise((done, fail) => {
    const first = (opts.first ?? Buffer.alloc(64 * 1024)).subarray(0, Math.min(length, 64 * 1024));
    const req = request(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-length': String(length) } });
    const timer = setTimeout(() => {
      req.destroy();
      fail(new Error(`no answer within ${deadlineMs} ms while ${length - first.length} announced body bytes were still unsent: the server waits for the body before it checks the caller`));
    }, deadlineMs);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => {
        clearTimeout(timer);
        req.destroy();
        const json = String(res.headers['content-type'] ?? '').includes('json');
        done({ status: res.statusCode!, body: json && text ? JSON.parse(text) : text, headers: res.headers, sent: first.length });
      });
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    req.write(first);
  });
}
