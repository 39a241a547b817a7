import { fileTypeFromBuffer } from 'file-type';
import { DomainError } from '../../core/errors.ts';

/** What may be sent in a chat, with the extensions a saved copy may carry. */
export const allowedTypes = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/gif': ['gif'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
} as const satisfies Record<string, readonly string[]>;

export type AllowedType = keyof typeof allowedTypes;

const isAllowed = (mime: string | undefined): mime is AllowedType => !!mime && Object.hasOwn(allowedTypes, mime);

const WHAT = '画像（JPEG・PNG・GIF・WebP）または PDF のみ送れます / only images (JPEG, PNG, GIF, WebP) and PDF files can be sent';

/**
 * The file's real type, read from its bytes. Refused (415) when the bytes are not one of the
 * allowed types, or when they are but the sender declared another: a file that lies about
 * its type is refused, never relabelled.
 */
export async function sniffType(bytes: Buffer, declared: string): Promise<AllowedType> {
  if (bytes.length === 0) throw new DomainError('invalid_input', 'ファイルが空です / the file is empty');
  const said = declared.split(';')[0]!.trim().toLowerCase();
  if (!isAllowed(said)) {
    throw new DomainError('unsupported_media_type', `${WHAT}; declared Content-Type: ${said || '(none)'}`, { declared: said || null });
  }
  const found = (await fileTypeFromBuffer(bytes))?.mime;
  if (!isAllowed(found)) {
    throw new DomainError('unsupported_media_type', `${WHAT}; the contents are not ${said}`, { declared: said, detected: found ?? null });
  }
  if (found !== said) {
    throw new DomainError('unsupported_media_type', `ファイルの中身が申告された形式と違います / the file says it is ${said} but its contents are ${found}`, {
      declared: said,
      detected: found,
    });
  }
  return found;
}

const MAX_NAME = 120;

/**
 * A filename safe to show and to put in a header: the last path segment, NFC, without
 * control or format characters (a right-to-left override can disguise "gpj.exe"), no
 * leading dots, at most 120 characters, and ending in an extension of the real type so a
 * saved copy opens with the right program.
 */
export function cleanFilename(raw: string | undefined, type: AllowedType): string {
  const exts: readonly string[] = allowedTypes[type];
  let name = (raw ?? '')
    .normalize('NFC')
    .split(/[/\\]/)
    .pop()!
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim()
    .replace(/^\.+/, '');
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  let stem = exts.includes(ext) ? name.slice(0, dot) : name;
  const suffix = `.${exts.includes(ext) ? ext : exts[0]}`;
  // Cut by code points, not UTF-16 units, so a kanji or an emoji is never split in half.
  stem = [...stem].slice(0, MAX_NAME - suffix.length).join('').trim();
  name = `${stem || 'file'}${suffix}`;
  return name;
}
