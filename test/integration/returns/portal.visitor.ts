import { expect } from 'chai';
import type { TestServer } from '../../helpers/app.ts';
import type { PushedOrder } from './returns.helpers.ts';

/** A browser without JavaScript: form posts, redirects not followed, one cookie jar. */
export class Visitor {
  private cookie = '';
  constructor(private readonly base: string) {}
  /** The portal session's cookie, for a request made by hand. */
  get cookieHeader(): string {
    return this.cookie;
  }
  async get(path: string) {
    return this.send('GET', path);
  }
  async post(path: string, form: Record<string, string>) {
    return this.send('POST', path, new URLSearchParams(form).toString());
  }
  /** A multipart form, as a browser sends the review page's submit with photos. */
  async postFiles(path: string, form: Record<string, string>, files: Array<{ bytes: Buffer; type: string; name: string }>) {
    const data = new FormData();
    for (const [k, v] of Object.entries(form)) data.append(k, v);
    for (const f of files) data.append('photos', new Blob([new Uint8Array(f.bytes)], { type: f.type }), f.name);
    return this.send('POST', path, data);
  }
  private async send(method: string, path: string, body?: string | FormData) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...(typeof body === 'string' ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(body ? { body } : {}),
    });
    const set = res.headers.getSetCookie().find((c) => c.startsWith('mdg_portal='));
    if (set) this.cookie = set.split(';')[0]!;
    return { status: res.status, location: res.headers.get('location') ?? '', html: await res.text() };
  }
}

/** A real 1×1 PNG. */
export const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

/** Order number + contact, then the code from the mail: a signed-in visitor of the shop's portal. */
export async function signInToPortal(server: TestServer, shopId: string, order: PushedOrder, contact = order.email): Promise<Visitor> {
  const portal = `/returns/${shopId}`;
  const v = new Visitor(server.url);
  const started = await v.post(`${portal}/code`, { orderNumber: order.number, contact });
  expect(started.status).to.equal(302);
  const mail = await server.smtp.waitFor((m) => m.to.includes(order.email) && m.subject.includes('確認コード'));
  const code = /^\s+(\d{6})$/m.exec(mail.text)![1]!;
  const verified = await v.post(`${portal}/verify`, { challenge: new URL(started.location, server.url).searchParams.get('c')!, code });
  expect(verified.status, verified.html).to.equal(302);
  expect(verified.location).to.equal(`${portal}/order`);
  return v;
}
