/**
 * CSV for people who open it in Excel in Japan: UTF-8 with a BOM (else Excel reads Shift_JIS),
 * CRLF line ends, a header row, and cells that start like a formula escaped.
 */
export const EXCEL_CSV = { bom: true, header: true, escape_formulas: true, record_delimiter: 'windows' } as const;
