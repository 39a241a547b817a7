import busboy from 'busboy';
import type { Context } from 'koa';
import { DomainError } from '../../core/errors.ts';
import { newStorageKey, type FileStorage } from '../../core/storage.ts';
import { cleanFilename, sniffType, type AllowedType } from '../attachments/attachments.file.ts';

/** Photos of a claim: images only, a few, each of a phone camera's size. */
export const PHOTO_LIMITS = { files: 5, bytes: 10 * 1024 * 1024 } as const;
const imageTypes: readonly AllowedType[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

export interface UploadedFile {
  bytes: Buffer;
  declared: string;
  filename: string;
}

export interface StoredPhoto {
  storageKey: string;
  contentType: AllowedType;
  sizeBytes: number;
  filename: string;
}

/**
 * A multipart form (the portal's submit with its photos) as fields and files in memory. Over
 * the limits `error` is a 413, with the fields read so far (the CSRF check still runs first);
 * a broken body is a 400. Empty file inputs (nothing chosen) are skipped.
 */
export function readMultipart(ctx: Context): Promise<{ fields: Record<string, string>; files: UploadedFile[]; error: DomainError | null }> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      // Browsers send file names as raw UTF-8, not the latin1 busboy assumes by default.
      bb = busboy({ headers: ctx.req.headers, defParamCharset: 'utf8', limits: { files: PHOTO_LIMITS.files, fileSize: PHOTO_LIMITS.bytes, fields: 200, fieldSize: 16 * 1024 } });
    } catch {
      return reject(new DomainError('invalid_input', 'the form is not multipart/form-data'));
    }
    const fields: Record<string, string> = {};
    const files: UploadedFile[] = [];
    let failed: DomainError | null = null;
    const fail = (e: DomainError) => (failed ??= e);
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new DomainError('payload_too_large', `the field ${name} is too long`, { say: { ja: '入力が長すぎます。', en: `The field ${name} is too long.` } }));
      fields[name] = value;
    });
    bb.on('file', (_name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      const mb = PHOTO_LIMITS.bytes / 1024 / 1024;
      stream.on('limit', () => fail(new DomainError('payload_too_large', `each photo may be at most ${mb} MB`, { say: { ja: `写真は1枚${mb}MBまでです。`, en: `Each photo may be at most ${mb} MB.` } })));
      stream.on('end', () => {
        const bytes = Buffer.concat(chunks);
        if (bytes.length || info.filename) files.push({ bytes, declared: info.mimeType, filename: info.filename ?? '' });
      });
    });
    bb.on('filesLimit', () => fail(new DomainError('payload_too_large', `at most ${PHOTO_LIMITS.files} photos`, { say: { ja: `写真は${PHOTO_LIMITS.files}枚までです。`, en: `At most ${PHOTO_LIMITS.files} photos.` } })));
    bb.on('error', () => reject(new DomainError('invalid_input', 'the form could not be read')));
    bb.on('close', () => resolve({ fields, files: files.filter((f) => f.bytes.length || f.filename), error: failed }));
    ctx.req.pipe(bb);
  });
}

/** Checks every file is an image by its bytes (a file that lies about its type is refused), before anything is stored. */
export async function checkPhotos(files: UploadedFile[]): Promise<Array<UploadedFile & { type: AllowedType }>> {
  const out: Array<UploadedFile & { type: AllowedType }> = [];
  for (const f of files) {
    const type = await sniffType(f.bytes, f.declared);
    if (!imageTypes.includes(type)) {
      throw new DomainError('unsupported_media_type', 'only photos (JPEG, PNG, GIF, WebP) can be sent', { detected: type, say: { ja: '送れるのは写真（JPEG・PNG・GIF・WebP）だけです。', en: 'Only photos (JPEG, PNG, GIF, WebP) can be sent.' } });
    }
    out.push({ ...f, type });
  }
  return out;
}

/** Stores checked photos; the caller removes them again with `discardPhotos` if its transaction fails. */
export async function storePhotos(storage: FileStorage, shopId: string, files: Array<UploadedFile & { type: AllowedType }>): Promise<StoredPhoto[]> {
  const stored: StoredPhoto[] = [];
  try {
    for (const f of files) {
      const storageKey = newStorageKey(shopId, 'returns');
      await storage.put(storageKey, f.bytes);
      stored.push({ storageKey, contentType: f.type, sizeBytes: f.bytes.length, filename: cleanFilename(f.filename, f.type) });
    }
  } catch (e) {
    await discardPhotos(storage, stored);
    throw e;
  }
  return stored;
}

export const discardPhotos = (storage: FileStorage, photos: StoredPhoto[]) => Promise.all(photos.map((p) => storage.delete(p.storageKey).catch(() => undefined)));
