import { useEffect, useState } from 'react';
import { useLang } from '../../i18n.ts';
import { noticesMessages } from '../../i18n.notices.ts';
import { listed } from '../../notices.format.ts';
import { noticesApi, type Recipient } from '../../noticesApi.ts';
import { problemText } from './NoticesPage.tsx';
import { TextTable } from './TextTable.tsx';

/** Pushes come a few a second while failures mount up; the list is read again at most this often. */
const REREAD_MS = 2000;

/**
 * The recipients whose mail failed, with the SMTP answer or our reason (contact fields masked by
 * the server for contractors). Read again when the failed count changes, a page at a time.
 */
export function FailedRecipients({ shopId, campaignId, failed }: { shopId: string; campaignId: string; failed: number }) {
  const lang = useLang();
  const m = noticesMessages[lang];
  const f = m.failures;
  const [rows, setRows] = useState<Recipient[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  // The count settles before the list is read: a burst of pushes costs one read.
  const [settledCount, setSettledCount] = useState(failed);
  useEffect(() => {
    const t = window.setTimeout(() => setSettledCount(failed), rows.length === 0 ? 0 : REREAD_MS);
    return () => window.clearTimeout(t);
  }, [failed, rows.length]);

  useEffect(() => {
    const ctrl = new AbortController();
    noticesApi.recipients(shopId, campaignId, 'failed', null, ctrl.signal).then(
      (page) => {
        setRows(page.recipients);
        setNext(page.next);
        setProblem(null);
      },
      (e: unknown) => !ctrl.signal.aborted && setProblem(problemText(e, lang)),
    );
    return () => ctrl.abort();
  }, [shopId, campaignId, settledCount, lang]);

  const more = async () => {
    if (!next) return;
    try {
      const page = await noticesApi.recipients(shopId, campaignId, 'failed', next);
      setRows((r) => [...r, ...page.recipients]);
      setNext(page.next);
    } catch (e) {
      setProblem(problemText(e, lang));
    }
  };

  return (
    <section className="panel campaign-failures" aria-labelledby="notice-failures" data-testid="notice-failures">
      <h2 className="panel-title" id="notice-failures">
        {f.title}
      </h2>
      {problem && (
        <p role="alert" className="alert alert-error">
          {problem}
        </p>
      )}
      {rows.length === 0 && !problem && <p className="muted">{f.none}</p>}
      {rows.length > 0 && (
        <TextTable
          caption={f.caption}
          captionHidden
          columns={[f.customer, f.email, f.orders, f.reason]}
          rows={rows.map((r) => ({ key: r.id, cells: [r.customerName, r.email, listed(r.orderNumbers, lang), <span className="campaign-reason">{r.reason ?? '—'}</span>] }))}
          testId="notice-failures-table"
          rowTestId="notice-failure"
        />
      )}
      {next && (
        <button type="button" className="button" onClick={() => void more()} data-testid="notice-failures-more">
          {f.more}
        </button>
      )}
    </section>
  );
}
