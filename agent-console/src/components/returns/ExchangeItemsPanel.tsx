import { useId, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { useMessages } from '../../i18n.ts';
import { returnsApi } from '../../returnsApi.ts';
import type { ExchangeItemInput, ReturnStatus, ReturnView, Role } from '../../types.ts';

/** Until the exchange is under way the shop says what it sends (the server's own list). */
const editable: readonly ReturnStatus[] = ['needs_review', 'approved', 'awaiting_shipment', 'in_transit', 'received', 'inspected'];

export const canEditExchange = (view: ReturnView, role: Role) => view.kind === 'exchange' && role !== 'contractor' && editable.includes(view.status);

type Row = { sku: string; name: string; quantity: string; unitPrice: string; taxRate: '10' | '8' };

const toRow = (i: ExchangeItemInput): Row => ({ sku: i.sku, name: i.name, quantity: String(i.quantity), unitPrice: String(i.unitPrice), taxRate: i.taxRate === 8 ? '8' : '10' });
const fromRow = (r: Row): ExchangeItemInput => ({ sku: r.sku.trim(), name: r.name.trim(), quantity: Number(r.quantity), unitPrice: Number(r.unitPrice), taxRate: r.taxRate === '8' ? 8 : 10 });

/**
 * What an exchange sends out, editable by the merchant and in-house agents: another size or
 * product at its price. Saving asks the server to compute the difference again (the same code
 * as every refund); nothing is computed here.
 */
export function ExchangeItemsPanel({ shopId, view, onChanged, reload }: { shopId: string; view: ReturnView; onChanged: (v: ReturnView) => void; reload: () => Promise<void> }) {
  const id = useId();
  const m = useMessages().returns.exchangeEdit;
  const [rows, setRows] = useState<Row[]>(() => (view.exchangeItems ?? []).map(toRow));
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const set = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  async function save(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setNote(null);
    try {
      onChanged(await returnsApi.setExchangeItems(shopId, view.id, rows.map(fromRow), view.status));
      setNote({ kind: 'ok', text: m.saved });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'forbidden') setNote({ kind: 'error', text: m.overLimit });
      else if (err instanceof ApiError && (err.code === 'conflict' || err.code === 'invalid_transition')) {
        setNote({ kind: 'error', text: m.stale });
        await reload();
      } else if (err instanceof ApiError && err.code === 'invalid_input') setNote({ kind: 'error', text: `${m.invalid} ${err.message}` });
      else if (!(err instanceof ApiError && err.code === 'unauthenticated')) setNote({ kind: 'error', text: m.failed });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="exchange-edit">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.title}
      </h2>
      <p className="muted">{m.hint}</p>
      <form onSubmit={save}>
        {rows.map((r, i) => (
          <fieldset key={i} className="exchange-row" data-testid="exchange-row">
            <label>
              {m.sku} <input value={r.sku} onChange={(e) => set(i, { sku: e.target.value })} required maxLength={64} data-testid="exchange-sku" />
            </label>
            <label>
              {m.name} <input value={r.name} onChange={(e) => set(i, { name: e.target.value })} required maxLength={200} />
            </label>
            <label>
              {m.quantity} <input type="number" min={1} value={r.quantity} onChange={(e) => set(i, { quantity: e.target.value })} required />
            </label>
            <label>
              {m.unitPrice} <input type="number" min={0} value={r.unitPrice} onChange={(e) => set(i, { unitPrice: e.target.value })} required data-testid="exchange-price" />
            </label>
            <label>
              {m.taxRate}{' '}
              <select value={r.taxRate} onChange={(e) => set(i, { taxRate: e.target.value === '8' ? '8' : '10' })}>
                <option value="10">10%</option>
                <option value="8">8%</option>
              </select>
            </label>
            {rows.length > 1 && (
              <button type="button" className="button button-quiet" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
                {m.remove}
              </button>
            )}
          </fieldset>
        ))}
        <button type="button" className="button button-quiet" onClick={() => setRows((rs) => [...rs, { sku: '', name: '', quantity: '1', unitPrice: '0', taxRate: '10' }])}>
          {m.add}
        </button>{' '}
        <button type="submit" className="button" disabled={busy} data-testid="exchange-save">
          {m.save}
        </button>
      </form>
      {note && (
        <p role={note.kind === 'error' ? 'alert' : 'status'} className={`alert ${note.kind === 'error' ? 'alert-warning' : 'alert-info'}`} data-testid="exchange-note">
          {note.text}
        </p>
      )}
    </section>
  );
}
