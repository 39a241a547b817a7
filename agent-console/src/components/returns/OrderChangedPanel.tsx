import { useId } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import { tokyoDateTime, yen } from '../../returns.format.ts';
import type { ReturnView } from '../../types.ts';

type Changes = NonNullable<ReturnView['orderChangedSinceFiling']>;
type Value = Changes['fields'][number]['then'];

/**
 * The shop platform pushed the order again after this return was filed. The return is judged
 * and refunded on the order as it was filed; this says what changed, so a person can decide
 * whether anything should follow (a partial cancellation refunded elsewhere, a price fixed).
 */
export function OrderChangedPanel({ view }: { view: ReturnView }) {
  const id = useId();
  const lang = useLang();
  const m = useMessages().returns.orderChanged;
  const changes = view.orderChangedSinceFiling;
  if (!changes) return null;
  const show = (field: string, v: Value) => {
    if (v === null) return m.none;
    if (typeof v === 'number') return yen(v);
    return field.endsWith('At') ? tokyoDateTime(v, lang) : v;
  };
  const line = (l: Changes['lines'][number]['then']) => (l ? m.line(l.name, l.quantity, yen(l.unitPrice)) : m.lineGone);
  return (
    <section className="panel alert alert-warning" aria-labelledby={`${id}-title`} data-testid="order-changed">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.title}
      </h2>
      <p>{m.hint}</p>
      <ul className="order-changes">
        {changes.fields.map((f) => (
          <li key={f.field} data-testid="order-change" data-field={f.field}>
            {m.field[f.field]}: {show(f.field, f.then)} → {show(f.field, f.now)}
          </li>
        ))}
        {changes.lines.map((l) => (
          <li key={l.lineNo} data-testid="order-change" data-line={l.lineNo}>
            {m.lineNo(l.lineNo)}: {line(l.then)} → {line(l.now)}
          </li>
        ))}
      </ul>
    </section>
  );
}
