import { useMessages } from '../../i18n.ts';

/** What a section loaded with useLoad says when its GET failed: why, and a retry. */
export function LoadFailed({ text, retry, testId, retryTestId }: { text: string; retry: () => void; testId: string; retryTestId?: string }) {
  const m = useMessages().metrics;
  return (
    <p role="alert" className="alert alert-error" data-testid={testId}>
      {text}{' '}
      <button type="button" className="button button-quiet" onClick={retry} {...(retryTestId ? { 'data-testid': retryTestId } : {})}>
        {m.retry}
      </button>
    </p>
  );
}

/** The line a section shows while its first answer is on the way. */
export function Loading({ testId }: { testId?: string }) {
  const m = useMessages().metrics;
  return (
    <p className="muted" role="status" {...(testId ? { 'data-testid': testId } : {})}>
      {m.loading}
    </p>
  );
}
