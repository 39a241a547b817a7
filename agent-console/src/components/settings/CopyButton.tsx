import { useState } from 'react';

/** Copies `text` to the clipboard and says so beside the button (politely, for screen readers). */
export function CopyButton({ text, label, copied, failed, testId }: { text: string; label: string; copied: string; failed: string; testId: string }) {
  const [said, setSaid] = useState<string | null>(null);
  const copy = () =>
    // No clipboard API outside a secure context (plain http on another host): say so, the text can still be selected.
    (navigator.clipboard ? navigator.clipboard.writeText(text) : Promise.reject(new Error('no clipboard'))).then(
      () => setSaid(copied),
      () => setSaid(failed),
    );
  return (
    <>
      <button type="button" className="button button-quiet" onClick={() => void copy()} data-testid={testId}>
        {label}
      </button>
      <span role="status" className="muted settings-copied">
        {said}
      </span>
    </>
  );
}
