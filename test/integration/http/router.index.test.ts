import { expect } from 'chai';
import Router from '@koa/router';
import { IndexedRouter } from '../../../server/core/router.ts';
import { startServer, type TestServer } from '../../helpers/app.ts';
import { oneDbKind } from '../../helpers/env.ts';

type Layer = Router['stack'][number];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'get'];

/** Paths near a route's: its params filled in several ways, its case changed, a slash added, a segment added, dropped or changed. */
function near(path: string): string[] {
  const fill = (value: string) => path.replace(/:[A-Za-z_$][\w$]*/g, value);
  const plain = fill('0f8a6c2e-1b9d-4c55-9a43-6d2b7e1f0a11');
  const segments = plain.split('/');
  return [
    plain,
    fill('x'),
    fill('A.b-c~d'),
    fill('%E5%B1%B1%2F'),
    fill('..'),
    `${plain}/`,
    `${plain}//`,
    plain.toUpperCase(),
    `${plain}/more`,
    `${plain}/more/and-more`,
    segments.slice(0, -1).join('/') || '/',
    ...segments.map((_, i) => (i === 0 ? '' : segments.map((s, j) => (j === i ? `${s}z` : s)).join('/'))).filter(Boolean),
    plain.replace('/', '//'),
    `${plain}?q=1`,
    `${plain}/店`,
  ];
}

const ODD = ['/', '', '//', '/api', '/api/', '/API/AUTH/SESSION', '/api//auth/session', '/healthz/', '/healthz//', '/%2Fhealthz', '/returns/店/start', '/x'.repeat(300), '/api/shops/ /audit', '/api/shops/\t/audit'];

// The router is the app's, built the same on either driver: one kind.
for (const kind of oneDbKind()) {
  describe(`[${kind}] the router's index (IndexedRouter)`, () => {
    let server: TestServer;
    let router: IndexedRouter;

    before(async () => {
      server = await startServer(kind, { config: { JOBS: 'off' } });
      const dispatch = server.app.middleware.find((m) => (m as { router?: unknown }).router instanceof IndexedRouter);
      router = (dispatch as unknown as { router: IndexedRouter }).router;
    });
    after(() => server.close());

    const plainMatch = (path: string, method: string) => Router.prototype.match.call(router, path, method);

    it('finds, for every route and the paths near it, the same layers in the same order as testing every route', () => {
      const paths = new Set([...ODD, ...router.stack.flatMap((l) => (typeof l.path === 'string' ? near(l.path) : []))]);
      expect(router.stack.length).to.be.greaterThan(100);
      let routed = 0;
      for (const path of paths) {
        for (const method of METHODS) {
          const indexed = router.match(path, method);
          const every = plainMatch(path, method);
          const where = `${method} ${path}`;
          expect(indexed.route, where).to.equal(every.route);
          expect(indexed.path, where).to.have.ordered.members(every.path);
          expect(indexed.pathAndMethod, where).to.have.ordered.members(every.pathAndMethod);
          if (every.route) routed++;
        }
      }
      // The paths tried reach routes, middleware on a prefix (the portal's error pages) and nothing.
      expect(routed).to.be.greaterThan(500);
      expect(paths.size).to.be.greaterThan(2000);
    });

    it('tests only the routes that fit the path, where the router tests every one', () => {
      const tested: Layer[] = [];
      const originals = router.stack.map((l) => l.match);
      router.stack.forEach((l, i) => {
        l.match = (p: string) => (tested.push(l), originals[i]!.call(l, p));
      });
      try {
        const path = '/api/shops/0f8a6c2e-1b9d-4c55-9a43-6d2b7e1f0a11/conversations';
        const indexed = router.match(path, 'GET');
        const indexedTested = tested.splice(0).length;
        plainMatch(path, 'GET');
        expect(indexed.route).to.equal(true);
        expect(tested.length).to.equal(router.stack.length);
        expect(indexedTested).to.be.within(1, 5);
      } finally {
        // The layers' own method again, from their prototype.
        for (const l of router.stack) Reflect.deleteProperty(l, 'match');
        expect(router.stack.map((l) => l.match)).to.deep.equal(originals);
      }
    });

    it('follows routes added after its first match', () => {
      router.match('/healthz', 'GET');
      router.get('/a-route-added-late/:id', (ctx) => (ctx.body = 'late'));
      try {
        const m = router.match('/a-route-added-late/7', 'GET');
        expect(m.route).to.equal(true);
        expect(m.pathAndMethod.at(-1)!.path).to.equal('/a-route-added-late/:id');
      } finally {
        router.stack.pop();
      }
    });

    it('answers over HTTP as the router does: a route in another case, a trailing slash, a wrong method', async () => {
      expect((await fetch(`${server.url}/HEALTHZ/`)).status).to.equal(200);
      const wrong = await fetch(`${server.url}/healthz`, { method: 'DELETE' });
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get('allow')).to.include('GET');
      expect((await fetch(`${server.url}/api/no-such-route`)).status).to.equal(404);
    });
  });
}
