import { errorsAt, type FieldErrors } from '../../../fieldErrors.ts';
import { useLang } from '../../../i18n.ts';
import type { NoticeText, VariableInfo } from './api.ts';
import { noticeTemplateMessages } from './i18n.ts';

const parts = ['subject', 'body', 'banner', 'chat'] as const;
const langs = ['ja', 'en'] as const;
/** Names every template may use besides its type's (server: notices.templates.check.ts). */
const contextNames = ['shop_name', 'shop_contact', 'issued_at'];

/** Each part in Japanese and English side by side, the server's errors under the box they concern. */
export function WordingEditor({ wording, variables, errors, readOnly, onChange }: { wording: NoticeText; variables: VariableInfo[]; errors: FieldErrors; readOnly: boolean; onChange: (w: NoticeText) => void }) {
  const lang = useLang();
  const m = noticeTemplateMessages[lang];
  const names = [...variables.map((v) => (v.lines ? `{{#each ${v.name}}}{{this}}{{/each}}` : v.required ? `{{${v.name}}}` : `{{#if ${v.name}}}{{${v.name}}}{{/if}}`)), ...contextNames.map((n) => `{{${n}}}`)];
  return (
    <div className="notice-wording" data-testid="notice-wording">
      <p className="muted notice-usable">{m.usable(names.join(' '))}</p>
      {parts.map((part) => (
        <fieldset key={part} className="notice-part">
          <legend className="settings-label">{m.parts[part]}</legend>
          <div className="notice-pair">
            {langs.map((l) => {
              const id = `notice-${part}-${l}`;
              const problems = errorsAt(errors, `wording.${part}.${l}`, true);
              return (
                <div key={l} className="settings-field">
                  <label htmlFor={id}>{m.langs[l]}</label>
                  <textarea
                    id={id}
                    lang={l}
                    rows={part === 'body' ? 18 : part === 'subject' ? 2 : 3}
                    value={wording[part][l]}
                    readOnly={readOnly}
                    aria-invalid={problems.length > 0 || undefined}
                    aria-describedby={problems.length ? `${id}-error` : undefined}
                    onChange={(e) => onChange({ ...wording, [part]: { ...wording[part], [l]: e.target.value } })}
                    data-testid={id}
                  />
                  {problems.length > 0 && (
                    <p id={`${id}-error`} className="field-error" data-testid={`${id}-error`}>
                      {problems.join(' ')}
                    </p>
                  )}
                </div>
              );
            })}
          </div>
        </fieldset>
      ))}
    </div>
  );
}
