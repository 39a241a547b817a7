import { useId } from 'react';
import { useMessages } from '../../i18n.ts';
import { fileSize } from '../../returns.format.ts';
import type { ReturnView } from '../../types.ts';

/**
 * The photos the customer sent with the request, as small thumbnails. Each one is a plain
 * link to the full image (a new tab); the same-origin URL is served with the session cookie
 * to the shop's people only, and every view of it is audited by the server.
 * A defect claim without photos says so: the missing evidence is part of the review.
 */
export function PhotosPanel({ view }: { view: ReturnView }) {
  const id = useId();
  const m = useMessages().returns.photos;
  const photos = view.photos.filter((p): p is typeof p & { url: string } => typeof p.url === 'string');
  if (photos.length === 0 && view.legalBasis !== 'defect') return null;
  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="return-photos">
      <h2 className="panel-title" id={`${id}-title`}>
        {m.title(photos.length)}
      </h2>
      {photos.length === 0 ? (
        <p className="muted" data-testid="no-photos">
          {m.none}
        </p>
      ) : (
        <>
          <ul className="photo-list">
            {photos.map((p) => (
              <li key={p.id} className="photo-item" data-testid="return-photo" data-photo-id={p.id}>
                <a href={p.url} target="_blank" rel="noopener noreferrer" title={m.open(p.filename)} data-testid="photo-link">
                  <img src={p.url} alt={p.filename} className="photo-thumb" width={96} height={96} loading="lazy" decoding="async" />
                </a>
                <span className="photo-caption" title={p.filename}>
                  {p.filename}
                </span>
                <span className="photo-size muted">{fileSize(p.sizeBytes)}</span>
              </li>
            ))}
          </ul>
          <p className="muted metric-note">{m.hint}</p>
        </>
      )}
    </section>
  );
}
