import { useLang } from '../../i18n.ts';
import { mappingMessages } from '../../i18n.orders.mapping.ts';
import type { ImportPreview } from '../../ordersApi.ts';

/** The file's first rows under its own headers, as the server masked them, to see which column holds what. */
export function MappingSamples({ preview }: { preview: ImportPreview }) {
  const m = mappingMessages[useLang()];
  if (preview.sampleRows.length === 0) return null;
  return (
    <div className="mapping-samples">
      <h4 className="subsection-title">{m.samples}</h4>
      <div className="table-scroll">
        <table className="data-table" data-testid="mapping-samples">
          <caption className="sr-only">{m.samplesCaption}</caption>
          <thead>
            <tr>
              {preview.headers.map((h, i) => (
                <th scope="col" className="text-cell" key={`${h}-${i}`}>
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.sampleRows.map((row, r) => (
              <tr key={r}>
                {preview.headers.map((h, i) => (
                  <td className="text-cell" key={`${h}-${i}`} title={row[i] ?? ''}>
                    {row[i] ?? ''}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
