import { useId } from 'react';
import { useLang, useMessages } from '../../i18n.ts';
import type { ReturnView } from '../../types.ts';

/**
 * Why the request stands where it does: its legal basis in words, and each rule of the
 * policy check with its outcome, worded by the server in both languages (the other language
 * on hover, for a contractor who reads the shop's own words).
 */
export function PolicyPanel({ view }: { view: ReturnView }) {
  const id = useId();
  const lang = useLang();
  const other = lang === 'ja' ? 'en' : 'ja';
  const m = useMessages().returns;
  const d = m.detail;
  const reasons = view.reviewReasons;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="policy-panel">
      <h2 className="panel-title" id={`${id}-title`}>
        {d.policy}
      </h2>
      <div className="return-basis" data-testid="legal-basis" data-basis={view.legalBasis}>
        <span className="muted">{d.basis}: </span>
        <strong>{m.basis[view.legalBasis]}</strong>
        <p className="muted metric-note">{m.basisHint[view.legalBasis]}</p>
      </div>
      <ul className="policy-checks" data-testid="policy-checks">
        {view.policy.checks.map((c, i) => (
          <li key={`${c.rule}-${i}`} data-rule={c.rule} data-ok={c.ok} data-testid="policy-check" className="policy-check">
            <span className={`check-mark ${c.ok ? 'check-ok' : 'check-ng'}`} role="img" aria-label={c.ok ? d.ok : d.notOk}>
              {c.ok ? '✓' : '✗'}
            </span>
            <span lang={lang} title={c[other]}>
              {c[lang]}
            </span>
            {!c.ok && c.blocking && <span className="badge return-flag">{d.blocking}</span>}
          </li>
        ))}
      </ul>
      {reasons.length > 0 && (
        <p className="metric-note" data-testid="review-reasons">
          <span className="muted">{d.reviewReasons}: </span>
          {reasons.map((r) => m.reviewReason[r] ?? r).join(lang === 'ja' ? '、' : ', ')}
        </p>
      )}
    </section>
  );
}
