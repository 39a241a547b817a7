import type { ReactNode } from 'react';

/** A scrolling table of text cells under column heads: the audience's sample, the failed recipients. */
export function TextTable({ caption, captionHidden, columns, rows, testId, rowTestId }: { caption: string; captionHidden?: boolean; columns: string[]; rows: { key: string; cells: ReactNode[] }[]; testId: string; rowTestId?: string }) {
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid={testId}>
        <caption className={captionHidden ? 'sr-only' : 'notice-caption'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => (
              <th key={c} scope="col" className="text-cell">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key} data-testid={rowTestId}>
              {r.cells.map((cell, i) => (
                <td key={i} className="text-cell">
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
