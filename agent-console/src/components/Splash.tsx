import { Bilingual } from './Bilingual.tsx';
import { Brand } from './Brand.tsx';

/** While the session is checked, or when the server cannot be reached at all. */
export function Splash({ unreachable = false, onRetry }: { unreachable?: boolean; onRetry?: () => void }) {
  return (
    <main className="splash">
      <Brand as="h1" />
      {unreachable ? (
        <>
          <p role="alert" className="alert alert-error" data-testid="startup-error">
            <Bilingual text={(m) => m.startup.network} />
          </p>
          <button type="button" className="button button-primary" onClick={onRetry}>
            <Bilingual text={(m) => m.startup.retry} />
          </button>
        </>
      ) : (
        <p className="muted" role="status">
          <Bilingual text={(m) => m.loading} />
        </p>
      )}
    </main>
  );
}
