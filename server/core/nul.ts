import { DomainError } from './errors.ts';

/**
 * The path of the first string (or object key) holding a NUL character, which PostgreSQL
 * cannot store in text (it refuses the whole statement). Every input that reaches a service
 * goes through one check: REST bodies, queries and params (route.ts) and socket event
 * payloads (realtime.ts), after their zod schema, whose strict shapes bound the depth.
 */
export function nulAt(value: unknown, path: (string | number)[] = []): (string | number)[] | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const at = [...path, Array.isArray(value) ? Number(k) : k];
      if (k.includes('\u0000')) return at;
      const found = nulAt(v, at);
      if (found) return found;
    }
  }
  return undefined;
}

/** Throws `invalid_input` naming the field when a parsed input holds a NUL character; `where` is body, query, params or payload. */
export function refuseNul(value: unknown, where: string): void {
  const nul = nulAt(value);
  if (nul) throw new DomainError('invalid_input', `${where} is not valid`, [{ in: where, path: nul.join('.'), message: 'text may not contain NUL characters', ja: 'NUL文字（制御文字）は使えません。' }]);
}

/**
 * The value with every NUL character taken out of its strings and keys, for what a platform
 * sends rather than what a person types (a webhook, an order read from an API): refusing it
 * would refuse the order again at every sync.
 */
export function withoutNul(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (Array.isArray(value)) return value.map(withoutNul);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replaceAll('\u0000', ''), withoutNul(v)]));
  return value;
}
