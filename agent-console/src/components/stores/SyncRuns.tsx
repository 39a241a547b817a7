import { useLang } from '../../i18n.ts';
import { storesMessages } from '../../i18n.stores.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import type { SyncRunView } from '../../storesApi.ts';
import { inLang } from './said.ts';

/**
 * The connection's recent sync runs, newest first, in Japan time: what started each, what came
 * in and became of it, and why a run failed or which orders it could not take, in the reader's language.
 */
export function SyncRuns({ runs }: { runs: SyncRunView[] }) {
  const lang = useLang();
  const m = storesMessages[lang].runs;
  const counts = ['received', 'created', 'updated', 'unchanged', 'rejected'] as const;
  return (
    <div className="store-runs">
      <h3 className="subsection-title">{m.title}</h3>
      {runs.length === 0 ? (
        <p className="muted" data-testid="store-runs-none">
          {m.none}
        </p>
      ) : (
        <div className="table-scroll">
          <table className="data-table store-runs-table" data-testid="store-runs">
            <caption className="sr-only">{m.caption}</caption>
            <thead>
              <tr>
                <th scope="col" className="text-cell">{m.trigger}</th>
                <th scope="col" className="text-cell">{m.startedAt}</th>
                {counts.map((k) => (
                  <th scope="col" key={k}>
                    {m[k]}
                  </th>
                ))}
                <th scope="col" className="text-cell">{m.error}</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => {
                const error = r.error ? inLang(r.error, lang) || r.error.code : null;
                return (
                  <tr key={r.id} data-testid="store-run" data-trigger={r.trigger} data-finished={r.finishedAt ? 'true' : 'false'} data-error={r.error?.code ?? ''}>
                    <th scope="row" className="text-cell">{m.triggers[r.trigger]}</th>
                    <td className="text-cell">
                      {tokyoDateTime(r.startedAt, lang)}
                      {!r.finishedAt && <span className="muted"> ({m.running})</span>}
                    </td>
                    {counts.map((k) => (
                      <td key={k} data-count={k}>
                        {r[k]}
                      </td>
                    ))}
                    <td className="text-cell">
                      {error && <span className="store-run-error">{error}</span>}
                      {r.rejections.length > 0 && (
                        <details>
                          <summary>{`${m.rejectedOrders}（${r.rejections.length}）`}</summary>
                          <ul className="store-run-rejects">
                            {r.rejections.map((e, i) => (
                              <li key={`${e.orderNumber}-${i}`}>
                                <strong>{e.orderNumber}</strong> {lang === 'ja' ? e.ja : e.reason}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
