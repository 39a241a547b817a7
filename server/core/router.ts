import Router from '@koa/router';

/*
 * @koa/router finds a request's routes by testing every route's regular expression in turn
 * (and calling `debug` for each, so DEBUG=koa-router no longer lists every test): with the
 * service's 170 routes, about 40 µs of the server's CPU a request, more than a tenth of a kept
 * inbox page's (README "What it costs, measured"). IndexedRouter narrows the test to the routes
 * whose literal segments fit the path, through a tree of segments built from the routes' paths,
 * then decides with the router's own regular expressions, in the router's order: the answer is
 * the router's, only fewer expressions are tried. A path the tree cannot walk is tested against
 * every route, as before; a route it cannot place (a pattern, a path that is an expression) is
 * tested for every request.
 */

type RouterLayer = Router['stack'][number];
type Match = ReturnType<Router['match']>;

interface Node {
  /** Literal segments (lower case: the routes are case-insensitive, as the router's default). */
  literal: Map<string, Node>;
  /** A `:param` segment. */
  param?: Node;
  /** Routes whose path ends here (by their position in the stack). */
  ends: number[];
  /** Middleware mounted here (`router.use(path, …)`): matches this path and any below it. */
  prefixes: number[];
}

const node = (): Node => ({ literal: new Map(), ends: [], prefixes: [] });

/** A segment the tree can place: plain characters, or a whole-segment `:name`. */
const LITERAL = /^[A-Za-z0-9._~-]+$/;
const PARAM = /^:[A-Za-z_$][\w$]*$/;
/** A request path the tree can walk: printable ASCII but the space, no empty segment. */
const WALKABLE = /^(\/[\x21-\x2e\x30-\x7e]+)+\/?$/;

interface Index {
  /** The layers and their paths as the tree was built: routes are added, and a prefix rewrites paths, while the app is built. */
  layers: RouterLayer[];
  paths: unknown[];
  root: Node;
  /** Routes the tree cannot place (a pattern, an option it does not model): always tested. */
  always: number[];
}

/*
 * The tree only narrows: a segment compared in lower case and one trailing slash dropped find
 * more candidates, never fewer, so the options that make a route's expression stricter
 * (sensitive, strict, trailing) need no case of their own. A path that is itself an expression
 * (pathAsRegExp: a path-less `use`, a RegExp) or has a pattern in a segment is tested always.
 */
function place(index: Index, layer: RouterLayer, at: number): void {
  const opts = layer.opts as RouterLayer['opts'] & { pathAsRegExp?: boolean };
  const path = typeof layer.path === 'string' && !opts.pathAsRegExp ? layer.path : '';
  const segments = path.split('/').slice(1);
  if (!path.startsWith('/') || !segments.every((s) => LITERAL.test(s) || PARAM.test(s))) {
    index.always.push(at);
    return;
  }
  let n = index.root;
  for (const s of segments) {
    if (s.startsWith(':')) n = n.param ??= node();
    else {
      const key = s.toLowerCase();
      let next = n.literal.get(key);
      if (!next) n.literal.set(key, (next = node()));
      n = next;
    }
  }
  (opts.end === false ? n.prefixes : n.ends).push(at);
}

function build(stack: RouterLayer[]): Index {
  const index: Index = { layers: [...stack], paths: stack.map((l) => l.path), root: node(), always: [] };
  stack.forEach((layer, at) => place(index, layer, at));
  return index;
}

/** The positions of the routes that may match `segments`, in no particular order. */
function candidates(n: Node, segments: string[], depth: number, out: number[]): void {
  out.push(...n.prefixes);
  if (depth === segments.length) {
    out.push(...n.ends);
    return;
  }
  const next = n.literal.get(segments[depth]!.toLowerCase());
  if (next) candidates(next, segments, depth + 1, out);
  if (n.param) candidates(n.param, segments, depth + 1, out);
}

/** Whether the tree was built from the stack as it is now: the same layers, with the same paths (a few hundred comparisons of references). */
function current(index: Index | undefined, stack: RouterLayer[]): index is Index {
  if (!index || index.layers.length !== stack.length) return false;
  for (let i = 0; i < stack.length; i++) if (stack[i] !== index.layers[i] || stack[i]!.path !== index.paths[i]) return false;
  return true;
}

// Beside the router, not in a field of it: the router clones itself (Object.create) when mounted in another.
const indexes = new WeakMap<Router, Index>();

export class IndexedRouter extends Router {
  override match(path: string, method: string): Match {
    if (!WALKABLE.test(path)) return super.match(path, method);
    let index = indexes.get(this);
    if (!current(index, this.stack)) indexes.set(this, (index = build(this.stack)));
    const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const found = [...index.always];
    candidates(index.root, trimmed.split('/').slice(1), 0, found);
    found.sort((a, b) => a - b);
    return matchAmong(this.stack, found, path, method);
  }
}

/** The router's own `match`, over the given layers only (in stack order). */
function matchAmong(stack: RouterLayer[], positions: number[], path: string, method: string): Match {
  const result: Match = { path: [], pathAndMethod: [], route: false };
  const normalized = method.toUpperCase();
  // Each layer is in one place of the tree or in `always`, and each place is walked once: no position twice.
  for (const at of positions) {
    const layer = stack[at]!;
    if (!layer.match(path)) continue;
    result.path.push(layer);
    if (layer.methods.length === 0 || layer.methods.includes(normalized)) {
      result.pathAndMethod.push(layer);
      if (layer.methods.length > 0) result.route = true;
    }
  }
  return result;
}
