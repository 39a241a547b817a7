/**
 * An order file's bytes to its header row and records: the encoding (UTF-8 or Shift_JIS, detected), NUL
 * characters refused, the CSV structure read with line numbers as a person counts them.
 */
import { CsvError, parse } from 'csv-parse/sync';
import { CsvFileError } from './orders.csv.rows.ts';

export type CsvEncoding = 'utf-8' | 'shift_jis';

// Decoding

function decode(bytes: Uint8Array, encoding: CsvEncoding): string | null {
  try {
    // The UTF-8 decoder strips a leading BOM (ignoreBOM defaults to false).
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** NUL characters cannot be stored; a file full of them is almost always UTF-16. */
function refuseNul(decoded: { text: string; encoding: CsvEncoding }): { text: string; encoding: CsvEncoding } {
  const at = decoded.text.indexOf('\u0000');
  if (at >= 0) {
    const line = decoded.text.slice(0, at).split('\n').length;
    throw new CsvFileError(
      `the file contains a NUL character (line ${line}); UTF-16 files are not supported, save it as UTF-8 or Shift_JIS`,
      `${line} 行目に NUL 文字があります。UTF-16 のファイルは読めません。UTF-8 か Shift_JIS で保存し直してください`,
      { line },
    );
  }
  return decoded;
}

/** A file's text: UTF-8, else Shift_JIS (or as `hint` says); a NUL or undecodable bytes are a CsvFileError. */
export function decodeFile(bytes: Uint8Array, hint: CsvEncoding | 'auto'): { text: string; encoding: CsvEncoding } {
  return refuseNul(decodeAny(bytes, hint));
}

function decodeAny(bytes: Uint8Array, hint: CsvEncoding | 'auto'): { text: string; encoding: CsvEncoding } {
  if (hint !== 'auto') {
    const text = decode(bytes, hint);
    if (text === null) {
      const name = hint === 'utf-8' ? 'UTF-8' : 'Shift_JIS';
      throw new CsvFileError(`the file is not valid ${name} text`, `${name} の文字として読めないファイルです`, { encoding: hint });
    }
    return { text, encoding: hint };
  }
  for (const encoding of ['utf-8', 'shift_jis'] as const) {
    const text = decode(bytes, encoding);
    if (text !== null) return { text, encoding };
  }
  throw new CsvFileError('the file is neither UTF-8 nor Shift_JIS text', 'UTF-8 でも Shift_JIS でもないファイルです。どちらかで保存し直してください', {
    tried: ['utf-8', 'shift_jis'],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// CSV structure

export interface CsvRecord {
  cells: string[];
  line: number;
}

export function readRecords(text: string): CsvRecord[] {
  // csv-parse counts a CRLF inside a quoted field as two lines; one kind of line break keeps line numbers right.
  const normalised = text.replace(/\r\n?/g, '\n');
  let lastEnd = 0;
  try {
    const parsed = parse(normalised, {
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (cells: string[], info) => {
        lastEnd = info.lines;
        // info.lines is the line on which the record ends; quoted line breaks move its start up.
        const breaks = cells.reduce((n, c) => n + (c.match(/\n/g)?.length ?? 0), 0);
        return { cells, line: info.lines - breaks } as unknown as string[];
      },
    }) as unknown as CsvRecord[];
    return parsed.filter((r) => r.cells.some((c) => c.trim() !== ''));
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const err = e;
    let line = typeof err.lines === 'number' ? err.lines : null;
    let message = err.message;
    // csv-parse words its reasons in English only; the Japanese names the line and the usual cause.
    let ja = `CSV として読めません${line ? `（${line} 行目）` : ''}。引用符（"）の使い方を確認してください`;
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      // csv-parse reports the end of the file; the culprit is the record after the last complete one.
      const physical = normalised.split('\n');
      let start = lastEnd + 1;
      while (start <= physical.length && physical[start - 1]!.trim() === '') start++;
      line = start;
      message = `a quoted field in the row starting on line ${start} is never closed`;
      ja = `CSV として読めません（${start} 行目）：この行から始まる引用符（"）が閉じられていません`;
    }
    throw new CsvFileError(`the file is not valid CSV${line ? ` (line ${line})` : ''}: ${message}`, ja, { code: err.code, line });
  }
}

/** The file's text, split into its header row and data records; a file-level problem is a CsvFileError. */
export function readCsvFile(bytes: Uint8Array, hint: CsvEncoding | 'auto'): { encoding: CsvEncoding; header: string[]; data: CsvRecord[] } {
  const { text, encoding } = decodeFile(bytes, hint);
  if (text.trim() === '') throw new CsvFileError('the file is empty', 'ファイルが空です', { encoding });
  const [headerRecord, ...data] = readRecords(text);
  if (!headerRecord) throw new CsvFileError('the file is empty: there is no header row', 'ファイルが空です（見出し行がありません）', { encoding });
  return { encoding, header: headerRecord.cells, data };
}
