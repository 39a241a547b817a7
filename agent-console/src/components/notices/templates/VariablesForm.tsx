import { errorsAt, type FieldErrors } from '../../../fieldErrors.ts';
import { useLang } from '../../../i18n.ts';
import type { VariableInfo } from './api.ts';
import { noticeTemplateMessages } from './i18n.ts';
import type { FieldValue, FormValues } from './variables.ts';

const inputType = { date: 'date', datetime: 'datetime-local', number: 'number', url: 'url', text: 'text', list: 'text' } as const;

/** One input per variable, by its kind; the server's message for `variables.<name>` under it. */
export function VariablesForm({ specs, values, errors, onChange }: { specs: VariableInfo[]; values: FormValues; errors: FieldErrors; onChange: (v: FormValues) => void }) {
  const lang = useLang();
  const m = noticeTemplateMessages[lang];
  const set = (name: string, v: FieldValue) => onChange({ ...values, [name]: v });
  return (
    <div className="notice-variables" data-testid="notice-variables">
      {specs.map((v) => {
        const id = `notice-var-${v.name}`;
        const problems = errorsAt(errors, `variables.${v.name}`);
        const value = values[v.name];
        let input;
        if (v.choices && v.kind === 'list') {
          const chosen = (value as string[]) ?? [];
          input = (
            <div role="group" aria-labelledby={`${id}-label`} className="notice-choices">
              {v.choices.map((c) => (
                <label key={c.value}>
                  <input type="checkbox" checked={chosen.includes(c.value)} onChange={(e) => set(v.name, e.target.checked ? [...chosen, c.value] : chosen.filter((x) => x !== c.value))} data-testid={`${id}-${c.value}`} /> {c.label[lang]}
                </label>
              ))}
            </div>
          );
        } else if (v.choices) {
          input = (
            <select id={id} value={value as string} onChange={(e) => set(v.name, e.target.value)} data-testid={id}>
              {!v.required && <option value="" />}
              {v.choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label[lang]}
                </option>
              ))}
            </select>
          );
        } else if (typeof value === 'object' && !Array.isArray(value)) {
          // Free text: Japanese, and English for English readers (else they read the Japanese).
          const Box = v.kind === 'list' ? 'textarea' : 'input';
          input = (
            <div className="notice-pair">
              {(['ja', 'en'] as const).map((l) => (
                <label key={l} className="settings-field">
                  <span className="muted">
                    {l === 'ja' ? m.jaValue : m.enValue}
                    {v.kind === 'list' ? `（${m.oneLine}）` : ''}
                  </span>
                  <Box id={l === 'ja' ? id : undefined} lang={l} value={value[l]} rows={3} onChange={(e: { target: { value: string } }) => set(v.name, { ...value, [l]: e.target.value })} data-testid={`${id}-${l}`} />
                </label>
              ))}
            </div>
          );
        } else {
          input = <input id={id} type={inputType[v.kind]} value={value as string} min={v.kind === 'number' ? 1 : undefined} onChange={(e) => set(v.name, e.target.value)} data-testid={id} />;
        }
        return (
          <div key={v.name} className="settings-field notice-variable">
            <label id={`${id}-label`} htmlFor={id} className="settings-label">
              {v.label[lang]} <span className="muted">({v.required ? m.required : m.optional} · {v.name})</span>
            </label>
            {input}
            {problems.length > 0 && (
              <p className="field-error" data-testid={`${id}-error`}>
                {problems.join(' ')}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
