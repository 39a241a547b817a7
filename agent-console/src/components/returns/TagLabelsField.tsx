import { useContext, useId } from 'react';
import { useMessages } from '../../i18n.ts';
import { ErrorsContext, FieldError, invalid } from './TermsFieldError.tsx';
import { usedTags, type TermsDraft } from './terms.draft.ts';

/**
 * What customers read for each tag the terms name: the page, the snippet and the portal show
 * 「セール品」, never the shop's internal tag "sale". One row per tag in use (non-returnable or
 * with a window of its own), in the order the body sends them, so the server's
 * `tagLabels.<i>` messages land on row i.
 */
export function TagLabelsField({ d, set }: { d: TermsDraft; set: (patch: Partial<TermsDraft>) => void }) {
  const m = useMessages().returns.terms;
  const id = useId();
  const errors = useContext(ErrorsContext);
  const tags = usedTags(d);
  const setLabel = (tag: string, l: 'ja' | 'en', value: string) => set({ tagLabels: { ...d.tagLabels, [tag]: { ja: '', en: '', ...d.tagLabels[tag], [l]: value } } });
  return (
    <fieldset className="terms-field tag-labels" data-testid="tag-labels">
      <legend>{m.tagLabels}</legend>
      <span className="muted metric-note">{m.tagLabelsHint}</span>
      {tags.length === 0 && <span className="muted">{m.noTagLabels}</span>}
      <ul className="tag-windows">
        {tags.map((tag, i) => (
          <li key={tag} className="tag-window" data-testid="tag-label" data-tag={tag}>
            <span className="badge badge-tag">{tag}</span>
            {(['ja', 'en'] as const).map((l) => (
              <label key={l} htmlFor={`${id}-${i}-${l}`}>
                <span className="muted">{m[l]}</span>
                <input
                  id={`${id}-${i}-${l}`}
                  lang={l}
                  maxLength={40}
                  value={d.tagLabels[tag]?.[l] ?? ''}
                  placeholder={l === 'ja' ? m.tagLabelJaExample : m.tagLabelEnExample}
                  onChange={(e) => setLabel(tag, l, e.target.value)}
                  data-testid={`field-tagLabels.${tag}.${l}`}
                  {...invalid(errors, `tagLabels.${i}.${l}`)}
                />
              </label>
            ))}
            <FieldError path={`tagLabels.${i}`} />
          </li>
        ))}
      </ul>
      <FieldError path="tagLabels" exact />
    </fieldset>
  );
}
