import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { expect } from 'chai';
import { DomainError } from '../../../server/core/errors.ts';
import { LocalFileStorage, newStorageKey } from '../../../server/core/storage.ts';

describe('local file storage', () => {
  let dir: string;
  let storage: LocalFileStorage;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mdg-storage-'));
    storage = new LocalFileStorage(join(dir, 'files'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores, reads back and deletes by key, leaving no temp file behind', async () => {
    const key = newStorageKey('shop-1');
    await storage.put(key, Buffer.from('こんにちは'));
    expect(await text(await storage.get(key))).to.equal('こんにちは');
    expect(await readdir(join(dir, 'files', 'shop-1'))).to.deep.equal([key.split('/')[1]]);
    await storage.delete(key);
    await storage.delete(key); // twice is fine: clean-ups are retried
    const missing = await storage.get(key).catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(DomainError);
    expect((missing as DomainError).code).to.equal('not_found');
  });

  it('refuses keys that could leave its folder or name a hidden file', async () => {
    await writeFile(join(dir, 'secret'), 'do not read');
    for (const key of ['../secret', 'a/../../secret', '/etc/passwd', '.tmp', 'a/.x', 'a//b', '', 'a\\..\\b', 'a/b/c/d/e', 'x'.repeat(65)]) {
      const err = await storage.get(key).catch((e: unknown) => e);
      expect(err, key).to.be.instanceOf(Error);
      expect((err as Error).message, key).to.include('malformed key');
      expect(await storage.put(key, Buffer.from('x')).catch((e: unknown) => (e as Error).message), key).to.include('malformed key');
    }
  });
});
