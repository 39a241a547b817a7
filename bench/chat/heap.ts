/**
 * What an idle socket costs, object by object: two V8 heap snapshots of the server child
 * (before and after the idle sockets connect) summed by constructor, and the difference.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count per `type:name` (constructor for objects, "closure" names for functions). */
export function byConstructor(file: string): Map<string, { size: number; count: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const width = f.length;
  const [typeAt, nameAt, sizeAt] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = s.snapshot.meta.node_types[0];
  const out = new Map<string, { size: number; count: number }>();
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt]!]!;
    // Strings and code are summed by type: their "names" are their contents.
    const name = type === 'object' || type === 'closure' ? s.strings[s.nodes[i + nameAt]!]! : '';
    const key = `${type}${name ? `:${name}` : ''}`;
    const e = out.get(key) ?? { size: 0, count: 0 };
    e.size += s.nodes[i + sizeAt]!;
    e.count += 1;
    out.set(key, e);
  }
  return out;
}

/** The biggest growths between two snapshots, per socket. */
export function growth(before: string, after: string, sockets: number, top = 20): string[] {
  const a = byConstructor(before);
  const b = byConstructor(after);
  const rows = [...b]
    .map(([k, v]) => ({ k, size: v.size - (a.get(k)?.size ?? 0), count: v.count - (a.get(k)?.count ?? 0) }))
    .sort((x, y) => y.size - x.size)
    .slice(0, top);
  const total = [...b.values()].reduce((t, v) => t + v.size, 0) - [...a.values()].reduce((t, v) => t + v.size, 0);
  return [
    `heap growth by constructor, per socket (${sockets} sockets; total ${(total / sockets).toFixed(0)} B per socket):`,
    ...rows.map((r) => `  ${(r.size / sockets).toFixed(0).padStart(7)} B  ${(r.count / sockets).toFixed(2).padStart(6)} objects  ${r.k}`),
  ];
}
