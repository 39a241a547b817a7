import { expect } from 'chai';
import Router from '@koa/router';
import { IndexedRouter } from '../../../server/core/router.ts';

/*
 * IndexedRouter against the router's own match on routes the app does not have (options the
 * tree does not model, patterns, prefixes, nested routers) and on a stack changed after its
 * first match. The app's own routes: test/integration/http/router.index.test.ts.
 */

const noop = () => undefined;
const METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'];

/** The same answer as testing every route: the same layers, in the same order, and whether a route (not only middleware) matched. */
function expectSame(router: IndexedRouter, paths: string[]) {
  for (const path of paths) {
    for (const method of METHODS) {
      const indexed = router.match(path, method);
      const every = Router.prototype.match.call(router, path, method);
      const where = `${method} ${path}`;
      expect(indexed.route, where).to.equal(every.route);
      expect(indexed.path, where).to.have.ordered.members(every.path);
      expect(indexed.pathAndMethod, where).to.have.ordered.members(every.pathAndMethod);
    }
  }
}

/** Each path, in other cases, with one or two trailing slashes, percent-encoded letters, a segment added. */
const variants = (paths: string[]) =>
  paths.flatMap((p) => [p, p.toUpperCase(), `${p}/`, `${p}//`, p.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`), `${p}/x`, p.replace(/\/[^/]*$/, '') || '/']);

const PATHS = variants(['/', '/a', '/ab', '/a/b', '/a/7', '/a/7/c', '/A/B', '/a.json', '/a~b/c', '/p/a', '/p/9/a', '/n/a/b', '/n/1/b', '/opt', '/opt/x', '/rest/x/y/z', '/a//b', '/t', '/t/u', '/q/a/b']);

function routes(r: IndexedRouter) {
  r.get('/a', noop);
  r.get('/a/b', noop);
  r.post('/a/:id', noop);
  r.get('/a/:id/c', noop);
  r.get('/a.json', noop);
  r.get('/a~b/:x', noop);
  r.get('/opt{/:x}', noop);
  r.get('/rest/*path', noop);
  r.get('/a//b', noop);
  r.get('/t/', noop);
  r.get(/^\/q\/.*$/, noop);
  r.use('/n/:shop', noop);
  r.get('/n/:shop/b', noop);
  r.get('/', noop);
  // A string taken as an expression, not a path: matches `/ab`, `/a/b/c`…
  r.register('/a', ['GET'], noop, { pathAsRegExp: true } as Parameters<Router['register']>[3]);
}

describe('IndexedRouter', () => {
  it('answers as the router on routes with patterns, a regular expression, middleware on a prefix and the root', () => {
    const r = new IndexedRouter();
    routes(r);
    expectSame(r, PATHS);
  });

  for (const options of [{ sensitive: true }, { strict: true }, { trailing: false }, { prefix: '/p' }, { prefix: '/p/:q' }, { exclusive: true }]) {
    it(`answers as the router with ${JSON.stringify(options)}`, () => {
      const r = new IndexedRouter(options as ConstructorParameters<typeof Router>[0]);
      routes(r);
      expectSame(r, PATHS);
    });
  }

  it('answers as the router with routers mounted in it, with and without a path', () => {
    const r = new IndexedRouter();
    const inner = new Router();
    routes(inner as IndexedRouter);
    r.use('/n', inner.routes());
    r.use(inner.routes());
    expectSame(r, [...PATHS, ...variants(['/n/a', '/n/a/b', '/n/a/7/c'])]);
  });

  it('follows a stack changed after its first match: a route replaced, a prefix set', () => {
    const r = new IndexedRouter();
    r.get('/one', noop);
    r.get('/healthz', noop);
    expect(r.match('/one', 'GET').route).to.equal(true);
    r.stack.pop();
    r.get('/two', noop);
    expect(r.match('/two', 'GET').route).to.equal(true);
    // The same path, now middleware on a prefix: the tree must place it anew.
    r.stack.pop();
    r.use('/two', noop);
    expect(r.match('/two/x', 'GET').path).to.have.length(1);
    r.stack.pop();
    r.get('/two', noop);
    expect(r.match('/two', 'GET').route).to.equal(true);
    // Paths rewritten in place: the same layers, new paths.
    r.prefix('/v1');
    expect(r.match('/v1/two', 'GET').route).to.equal(true);
    expect(r.match('/two', 'GET').route).to.equal(false);
    expectSame(r, variants(['/one', '/two', '/v1/one', '/v1/two', '/healthz']));
  });
});
