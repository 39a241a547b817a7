/**
 * Seeded generation of near-valid and hostile input from JSON Schemas (the OpenAPI document's
 * and zod's `toJSONSchema` of the socket payloads). Pure: the same seed gives the same inputs,
 * whatever the server answered before.
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  prefixItems?: Schema[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  enum?: Json[];
  const?: Json;
  default?: Json;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  maxItems?: number;
};

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

/** Strings that pass common patterns here (client ids, order numbers, tags, shortcuts, kana…). */
const CANDIDATES = ['abc', 'client-0001-abcd', 'T-1001', 'sale', 'thanks', 'ヤマダ タロウ', 'アイウ', '150-0001', '090-1234-5678', '1234567', '001', '東京都', 'mdg_abc', 'ja', 'UTC', 'Asia/Tokyo', '#1-2'];
const FORMATS: Record<string, (r: Rng) => string> = {
  uuid: (r) => r.uuid(),
  email: (r) => `fuzz${r.int(1000)}@example.jp`,
  'date-time': () => '2026-11-23T12:00:00+09:00',
  date: () => '2026-11-23',
};

const typeOf = (s: Schema): string | undefined => (Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type);

/** A value the schema probably accepts (patterns it cannot satisfy get a plausible string). */
export function validValue(s: Schema, r: Rng, known: (name: string) => string | undefined = () => undefined, name = '', depth = 0): Json {
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return r.pick(s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives?.length) return validValue(r.pick(alternatives.filter((a) => a.type !== 'null')) ?? alternatives[0]!, r, known, name, depth);
  const real = known(name);
  if (real !== undefined && r.chance(0.7)) return real;
  switch (typeOf(s)) {
    case 'object': {
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) {
        if ((s.required ?? []).includes(k) || r.chance(0.5)) out[k] = validValue(v, r, known, k, depth + 1);
      }
      if (typeof s.additionalProperties === 'object' && depth < 4) out[r.pick(CANDIDATES)] = validValue(s.additionalProperties, r, known, '', depth + 1);
      return out;
    }
    case 'array': {
      if (s.prefixItems) return s.prefixItems.map((x) => validValue(x, r, known, name, depth + 1));
      const n = Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 3, 1 + r.int(2)));
      return depth > 5 ? [] : Array.from({ length: n }, () => validValue(s.items ?? {}, r, known, name, depth + 1));
    }
    case 'integer':
    case 'number': {
      const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 0);
      const hi = Math.min(s.maximum ?? lo + 100, lo + 1000);
      return lo + r.int(Math.max(1, hi - lo + 1));
    }
    case 'boolean':
      return r.chance(0.5);
    case 'string': {
      if (s.format && FORMATS[s.format]) return FORMATS[s.format]!(r);
      const fits = (x: string) => (!s.pattern || new RegExp(s.pattern, 'u').test(x)) && x.length >= (s.minLength ?? 0) && x.length <= (s.maxLength ?? Infinity);
      const found = CANDIDATES.filter(fits);
      if (found.length) return r.pick(found);
      return 'x'.repeat(Math.max(1, s.minLength ?? 1));
    }
    default:
      return r.pick(['x', 1, true, null, {}]);
  }
}

/** Nested `depth` levels deep, as arrays or objects. */
export function deep(depth: number, asObject: boolean): string {
  return asObject ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** Replacements for one value that a careless server may choke on. */
export function hostileValue(r: Rng, hugeChars = 300_000): Json {
  const pick = r.int(22);
  switch (pick) {
    case 0: return 'x'.repeat(hugeChars);
    case 1: return 'a\u0000b';
    case 2: return '\u0000';
    case 3: return '\ud800';
    case 4: return '\u202e\u0007\u001b[31m';
    case 5: return -1;
    case 6: return 1e308;
    case 7: return 2 ** 53 + 1;
    case 8: return 3.5;
    case 9: return -0;
    case 10: return '';
    case 11: return ' ';
    case 12: return null;
    case 13: return [];
    case 14: return {};
    case 15: return true;
    case 16: return JSON.parse(deep(200, r.chance(0.5))) as Json;
    case 17: return JSON.parse('{"__proto__":{"polluted":true}}') as Json;
    case 18: return '../../etc/passwd';
    case 19: return "' OR 1=1 --";
    case 20: return '9'.repeat(40);
    default: return '😀'.repeat(50) + '𠮷';
  }
}

/** Every path into a JSON value (objects and arrays), the root included. */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

/** One hostile change to a near-valid value: a field replaced, removed, added, or the whole thing. */
export function mutate(value: Json, r: Rng, hugeChars = 300_000): Json {
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  const all = paths(copy);
  const at = r.pick(all);
  const how = r.int(4);
  if (!at.length) return how === 0 ? hostileValue(r, hugeChars) : r.pick<Json>([[], 'text', 42, null, [copy]]);
  const parent = at.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k as string]!, copy) as Record<string, Json> | Json[];
  const key = at[at.length - 1]!;
  if (how === 0 && !Array.isArray(parent)) delete (parent as Record<string, Json>)[key as string];
  else if (how === 1 && !Array.isArray(parent)) (parent as Record<string, Json>)[r.pick(['extra', 'constructor', 'prototype', '__proto__', ''])] = hostileValue(r, hugeChars);
  else (parent as Record<string, Json>)[key as string] = hostileValue(r, hugeChars);
  return copy;
}

/** JSON text with the prototype-pollution keys kept as keys (JSON.stringify drops `__proto__` set by literal). */
export function hostileJsonText(r: Rng, near: Json): string {
  switch (r.int(8)) {
    case 0: return `{"__proto__":{"isAdmin":true},${JSON.stringify(near ?? {}).slice(1)}`.replace(',}', '}');
    case 1: return '{"constructor":{"prototype":{"isAdmin":true}}}';
    case 2: return deep(100_000, false);
    case 3: return deep(20_000, true);
    case 4: return '{"a":1,"a":2}';
    case 5: return '{"name": "half';
    case 6: return 'null';
    default: return '\u0000{}';
  }
}
