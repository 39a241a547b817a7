import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { DomainError } from './errors.ts';

/**
 * Where uploaded bytes live. Keys are made by us (`newStorageKey`), never taken from a
 * user's filename, so an implementation may map them straight to paths or object names.
 * A local folder today; an S3-style bucket can implement the same three calls.
 */
export interface FileStorage {
  /** Stores the bytes whole or not at all: a reader never sees a half-written file. */
  put(key: string, bytes: Buffer): Promise<void>;
  /** The bytes as a stream; not_found when the key holds nothing. */
  get(key: string): Promise<Readable>;
  /** Removes the bytes; a key that holds nothing is not an error (deletes are retried). */
  delete(key: string): Promise<void>;
}

/** One to four segments of letters, digits, `_` and `-`: no dots, so no `..`, no hidden files. */
const KEY = /^[A-Za-z0-9_-]{1,64}(\/[A-Za-z0-9_-]{1,64}){0,3}$/;

/** A fresh key under the given prefix segments, e.g. `newStorageKey(shopId)` → `<shopId>/<uuid>`. */
export const newStorageKey = (...prefix: string[]) => [...prefix, randomUUID()].join('/');

/** Stores each key as a file under `root`; writes go to a temp file that is then renamed. */
export class LocalFileStorage implements FileStorage {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  /** The file of a key, refusing anything that could leave the root (checked twice on purpose). */
  private path(key: string): string {
    const full = resolve(this.root, key);
    if (!KEY.test(key) || !full.startsWith(this.root + sep)) throw new Error(`storage: malformed key ${JSON.stringify(key)}`);
    return full;
  }

  async put(key: string, bytes: Buffer): Promise<void> {
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    // Same folder as the target, so the rename stays on one file system and is atomic.
    // The dot keeps temp files out of the key space (keys have no dots).
    const temp = join(dirname(target), `.${randomBytes(8).toString('hex')}.tmp`);
    try {
      const file = await open(temp, 'wx', 0o640);
      try {
        await file.writeFile(bytes);
        await file.sync(); // the bytes are on disk before the name points at them
      } finally {
        await file.close();
      }
      await rename(temp, target);
    } catch (e) {
      await rm(temp, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Readable> {
    try {
      // Opened here, not lazily by the stream, so a missing file is an answer and not a broken response.
      const file = await open(this.path(key), 'r');
      return file.createReadStream();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new DomainError('not_found', 'file not found');
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

/** The deployment's file store: `<DATA_DIR>/files`. */
export const localFileStorage = (dataDir: string) => new LocalFileStorage(join(dataDir, 'files'));
