import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { DEFAULT_WIDGET_COLOR, textOn } from '../../../../server/domains/shops/shops.color.ts';
import { ApiError } from '../../api.ts';
import type { Lang } from '../../i18n.ts';
import { settingsMessages } from '../../i18n.settings.ts';
import { settingsApi, type WidgetLook as Look } from '../../settingsApi.ts';
import type { ShopView } from '../../types.ts';
import { fieldErrors, readable, type FieldErrors } from '../../fieldErrors.ts';
import { SaveBar, type SaveStatus } from './SaveBar.tsx';

type Draft = { widgetColor: string; widgetGreetingJa: string; widgetGreetingEn: string; privacyUrl: string; replyTime: '' | NonNullable<Look['replyTime']> };

const fields = ['widgetColor', 'widgetGreetingJa', 'widgetGreetingEn', 'privacyUrl', 'replyTime'] as const;

const draftOf = (s: ShopView): Draft => ({
  widgetColor: s.widgetColor ?? '',
  widgetGreetingJa: s.widgetGreetingJa ?? '',
  widgetGreetingEn: s.widgetGreetingEn ?? '',
  privacyUrl: s.privacyUrl ?? '',
  replyTime: s.replyTime ?? '',
});

/** Only what changed is sent; an emptied field is sent as null (cleared). */
function changes(d: Draft, s: ShopView): Partial<Look> {
  const saved = draftOf(s);
  const out: Record<string, string | null> = {};
  for (const f of fields) if (d[f].trim() !== saved[f]) out[f] = d[f].trim() || null;
  return out as Partial<Look>;
}

const isHex = (c: string) => /^#[0-9a-fA-F]{6}$/.test(c);

/**
 * The shop's look on the customer pages (colour, greeting, privacy notice, usual reply time).
 * The server's schema judges the values; its messages show under the fields they name, in the
 * reader's language (fieldErrors with `lang`). Reports its unsaved state upward:
 * one page has one leave guard.
 */
export function WidgetLook({ shop, canEdit, lang, onSaved, onDirty }: {
  shop: ShopView;
  canEdit: boolean;
  lang: Lang;
  onSaved: (shop: ShopView) => void;
  onDirty: (dirty: boolean) => void;
}) {
  const m = settingsMessages[lang].look;
  const [draft, setDraft] = useState<Draft>(() => draftOf(shop));
  const [errors, setErrors] = useState<FieldErrors>(new Map());
  const [status, setStatus] = useState<SaveStatus>('idle');
  const patch = changes(draft, shop);
  const dirty = Object.keys(patch).length > 0;
  useEffect(() => onDirty(canEdit && dirty), [canEdit, dirty]);

  const set = (f: keyof Draft, v: string) => {
    setDraft((d) => ({ ...d, [f]: v }));
    setStatus('idle');
  };
  // Kept in English and put into the reader's language here, so switching language switches them too.
  const said = (f: string) => [...new Set((errors.get(f) ?? []).map((msg) => readable(msg, lang)))];

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (status === 'saving' || !dirty) return;
    setStatus('saving');
    const sent = draft;
    try {
      const saved = await settingsApi.saveLook(shop.id, patch);
      setErrors(new Map());
      // What the server kept if the form is still what was sent; typed into since, it stays as typed.
      setDraft((d) => (d === sent ? draftOf(saved) : d));
      setStatus('saved');
      onSaved(saved);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'invalid_input') {
        setErrors(fieldErrors(err.details));
        setStatus('idle');
      } else setStatus(err instanceof ApiError && err.code === 'forbidden' ? 'forbidden' : 'failed');
    }
  };

  const color = isHex(draft.widgetColor) ? draft.widgetColor : (shop.widgetColor ?? DEFAULT_WIDGET_COLOR);
  const preview = (
    <span className="settings-swatch" style={{ background: color, color: textOn(color.toLowerCase()) }} data-testid="look-preview">
      {m.preview}
    </span>
  );

  if (!canEdit) {
    const replyWords = { minutes: m.replyMinutes, hours: m.replyHours, day: m.replyDay };
    const rows: Array<[string, string]> = [
      [m.color, shop.widgetColor ?? m.notSet],
      [m.greetingJa, shop.widgetGreetingJa ?? m.notSet],
      [m.greetingEn, shop.widgetGreetingEn ?? m.notSet],
      [m.privacyUrl, shop.privacyUrl ?? m.notSet],
      [m.replyTime, shop.replyTime ? replyWords[shop.replyTime] : m.notSet],
    ];
    return (
      <div data-testid="look-read">
        <h3>{m.title}</h3>
        <dl className="settings-look-read">
          {rows.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
        </dl>
        {preview}
        <p className="muted">{m.readOnly}</p>
      </div>
    );
  }

  const field = (f: keyof Draft, label: string, hint: string, input: (props: { id: string; 'aria-invalid'?: boolean; 'aria-describedby': string }) => ReactElement) => {
    const errs = said(f);
    const id = `look-${f}`;
    return (
      <div className="settings-field">
        <label htmlFor={id} className="settings-label">
          {label}
        </label>
        {input({ id, 'aria-invalid': errs.length > 0 || undefined, 'aria-describedby': `${id}-hint${errs.length ? ` ${id}-error` : ''}` })}
        <span id={`${id}-hint`} className="muted settings-hint">
          {hint}
        </span>
        {errs.length > 0 && (
          <span className="field-error" id={`${id}-error`} role="alert" data-testid={`error-${f}`}>
            {errs.join(' ')}
          </span>
        )}
      </div>
    );
  };
  const text = (f: Exclude<keyof Draft, 'replyTime'>, extra: Record<string, string> = {}) => (p: { id: string }) => (
    <input {...p} {...extra} value={draft[f]} onChange={(e) => set(f, e.target.value)} data-testid={`look-${f}`} />
  );

  return (
    <form onSubmit={(e) => void save(e)} noValidate data-testid="look-form" className="settings-look">
      <h3>{m.title}</h3>
      <p className="muted">{m.lead}</p>
      {field('widgetColor', m.color, m.colorHint, (p) => (
        <div className="settings-color">
          <input type="color" aria-label={m.color} value={color} onChange={(e) => set('widgetColor', e.target.value)} />
          {text('widgetColor', { placeholder: DEFAULT_WIDGET_COLOR, spellCheck: 'false' })(p)}
          {preview}
        </div>
      ))}
      {field('widgetGreetingJa', m.greetingJa, m.greetingHint, text('widgetGreetingJa', { maxLength: '200' }))}
      {field('widgetGreetingEn', m.greetingEn, m.greetingHint, text('widgetGreetingEn', { maxLength: '200' }))}
      {field('privacyUrl', m.privacyUrl, m.privacyHint, text('privacyUrl', { type: 'url', inputMode: 'url', placeholder: 'https://shop.example.jp/privacy' }))}
      {field('replyTime', m.replyTime, '', (p) => (
        <select {...p} value={draft.replyTime} onChange={(e) => set('replyTime', e.target.value)} data-testid="look-replyTime">
          <option value="">{m.replyNone}</option>
          <option value="minutes">{m.replyMinutes}</option>
          <option value="hours">{m.replyHours}</option>
          <option value="day">{m.replyDay}</option>
        </select>
      ))}
      <SaveBar status={status} dirty={dirty} words={m} testId="look" />
    </form>
  );
}
