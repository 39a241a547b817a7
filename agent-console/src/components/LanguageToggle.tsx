import { langs, messages, useLang, type Lang } from '../i18n.ts';

/** 日本語 | English; each button names its language in that language. */
export function LanguageToggle({ onChange }: { onChange: (lang: Lang) => void }) {
  const current = useLang();
  return (
    <div className="segmented" role="group" aria-label={messages[current].shell.language} data-testid="language-toggle">
      {langs.map((l) => (
        <button
          key={l}
          type="button"
          lang={l}
          aria-pressed={l === current}
          onClick={() => onChange(l)}
          data-testid={`language-${l}`}
        >
          {messages[l].langName}
        </button>
      ))}
    </div>
  );
}
