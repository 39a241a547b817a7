import { messages, type Messages } from '../i18n.ts';

/**
 * Japanese first, English alongside: for the pages shown before we know who is there
 * (sign-in, loading), where there is no language choice yet.
 */
export function Bilingual({ text }: { text: (m: Messages) => string }) {
  return (
    <>
      <span lang="ja">{text(messages.ja)}</span>
      <span className="bilingual-sep" aria-hidden="true">
        {' / '}
      </span>
      <span lang="en" className="bilingual-en">
        {text(messages.en)}
      </span>
    </>
  );
}
