import type { Db } from '../server/core/db/client.ts';
import { seedDemo } from '../server/demo.ts';

/** Seeds the demo shops and signs their owner in at `base`: the first demo shop and the headers of a signed-in console (cookie and CSRF token). */
export async function demoOwnerSession(db: Db, base: string): Promise<{ shopId: string; headers: { cookie: string; 'x-csrf-token': string } }> {
  const demo = await seedDemo(db);
  const owner = demo.users.find((u) => u.role === 'owner')!;
  const signIn = await fetch(`${base}/api/auth/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: owner.email, password: owner.password }) });
  const cookie = signIn.headers.getSetCookie()[0]!.split(';')[0]!;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  return { shopId: demo.shops[0]!.id, headers: { cookie, 'x-csrf-token': csrfToken } };
}
