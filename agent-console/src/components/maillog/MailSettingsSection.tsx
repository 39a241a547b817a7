import { useId, useState } from 'react';
import { ApiError } from '../../api.ts';
import { useLang } from '../../i18n.ts';
import { mailLogMessages } from '../../i18n.maillog.ts';
import { mailLogApi, type Suppression } from '../../mailLogApi.ts';
import { tokyoDateTime } from '../../returns.format.ts';
import { useLoad } from '../metrics/useLoad.ts';
import '../../maillog.css';

/**
 * 「メール送信設定 / Mail」 (owners and staff): the SPF, DKIM and DMARC records the sending
 * domain needs and whether DNS has them, checked again on demand; and the suppression list,
 * whose bounce entries can be lifted (an unsubscribe is the customer's and stays).
 */
export function MailSettingsSection({ shopId }: { shopId: string }) {
  const id = useId();
  const m = mailLogMessages[useLang()].settings;
  return (
    <section className="settings-section" id="settings-mail" aria-labelledby={`${id}-title`} data-testid="settings-mail">
      <h2 id={`${id}-title`}>{m.title}</h2>
      <DnsPanel shopId={shopId} />
      <SuppressionsPanel shopId={shopId} />
    </section>
  );
}

function DnsPanel({ shopId }: { shopId: string }) {
  const id = useId();
  const lang = useLang();
  const m = mailLogMessages[lang].settings;
  const dns = useLoad((signal) => mailLogApi.dns(shopId, signal), shopId);
  const d = dns.data;
  return (
    <div className="panel" aria-labelledby={`${id}-dns`} data-testid="mail-dns">
      <h3 className="subsection-title" id={`${id}-dns`}>
        {m.dnsTitle}
      </h3>
      <p className="muted">{m.dnsIntro}</p>
      {dns.state === 'failed' && <p className="alert alert-error">{m.dnsFailed}</p>}
      {d && (
        <>
          <p>
            {m.domain}: <strong className="mono">{d.domain}</strong> · <span className="muted">{m.checkedAt} {tokyoDateTime(d.checkedAt, lang)}</span>
          </p>
          <div className="table-scroll">
            <table className="data-table mail-dns-table">
              <thead>
                <tr>
                  <th scope="col">{''}</th>
                  <th scope="col">{m.name}</th>
                  <th scope="col">{m.expected}</th>
                  <th scope="col">{m.found}</th>
                </tr>
              </thead>
              <tbody>
                {d.records.map((r) => (
                  <tr key={`${r.kind}-${r.name}`} data-testid={`mail-dns-${r.kind}`} data-ok={r.ok}>
                    <th scope="row">
                      {r.kind.toUpperCase()} <span className={r.ok ? 'mail-dns-ok' : 'mail-dns-ng'}>{r.ok ? m.ok : m.ng}</span>
                    </th>
                    <td>
                      <code>{r.name}</code> <span className="muted">{r.type}</span>
                    </td>
                    <td>
                      <code>{r.expected}</code>
                      {r.problem && <p className="alert alert-warning">{lang === 'ja' ? r.problem.ja : r.problem.en}</p>}
                    </td>
                    <td>{r.found.length ? r.found.map((f) => <code key={f}>{f}</code>) : <span className="muted">{m.none}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      <button type="button" className="button button-quiet" onClick={dns.retry} disabled={dns.state === 'loading'} data-testid="mail-dns-check">
        {dns.state === 'loading' ? m.checking : m.check}
      </button>
    </div>
  );
}

function SuppressionsPanel({ shopId }: { shopId: string }) {
  const id = useId();
  const lang = useLang();
  const all = mailLogMessages[lang];
  const m = all.settings;
  const list = useLoad((signal) => mailLogApi.suppressions(shopId, signal), shopId);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const lift = async (s: Suppression) => {
    setBusy(s.address);
    setError(null);
    try {
      await mailLogApi.lift(shopId, s.address);
      list.retry();
    } catch (e) {
      setError(e instanceof ApiError && e.code === 'conflict' ? m.unsubscribedStays : m.liftFailed);
    } finally {
      setBusy(null);
    }
  };
  const rows = list.data?.suppressions ?? [];
  return (
    <div className="panel" aria-labelledby={`${id}-supp`} data-testid="mail-suppressions">
      <h3 className="subsection-title" id={`${id}-supp`}>
        {m.suppressionsTitle}
      </h3>
      <p className="muted">{m.suppressionsIntro}</p>
      {list.state === 'failed' && <p className="alert alert-error">{m.suppressionsFailed}</p>}
      {error && (
        <p role="alert" className="alert alert-error">
          {error}
        </p>
      )}
      {list.data && rows.length === 0 && <p className="muted">{m.noSuppressions}</p>}
      {rows.length > 0 && (
        <div className="table-scroll">
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">{m.address}</th>
                <th scope="col">{m.reason}</th>
                <th scope="col">{m.since}</th>
                <th scope="col">{''}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={`${s.address}-${s.reason}`} data-testid="mail-suppression-row">
                  <td className="text-cell mono">
                    {s.address} {s.mobileCarrier && <span className="badge badge-carrier">{all.history.carrier}</span>}
                  </td>
                  <td>{all.suppressedReason[s.reason] ?? s.reason}</td>
                  <td>{tokyoDateTime(s.createdAt, lang)}</td>
                  <td>
                    {s.reason === 'unsubscribed' ? (
                      <span className="muted" title={m.unsubscribedStays}>
                        —
                      </span>
                    ) : (
                      <button type="button" className="button button-quiet" disabled={busy === s.address} onClick={() => void lift(s)} data-testid="mail-suppression-lift">
                        {busy === s.address ? m.lifting : m.lift}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
