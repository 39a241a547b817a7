import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from '../../helpers/app.ts';
import type { TestClient } from '../../helpers/client.ts';
import type { DbKind } from '../../helpers/env.ts';

/** A server whose DATA_DIR is a fresh temp folder, so a test can look at exactly what was stored. */
export async function serverWithFiles(kind: DbKind, limitMb = '0.25'): Promise<TestServer & { dataDir: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'mdg-files-'));
  const server = await startServer(kind, { config: { DATA_DIR: dataDir, ATTACHMENT_LIMIT_MB: limitMb } });
  return {
    ...server,
    dataDir,
    close: async () => {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every file (temp files included) stored for the shop. */
export async function filesOf(dataDir: string, shopId: string): Promise<string[]> {
  try {
    return await readdir(join(dataDir, 'files', shopId), { recursive: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}

export function upload(c: TestClient, path: string, bytes: Buffer, type: string, filename?: string) {
  const q = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`;
  return c.request('POST', path + q, { body: new Uint8Array(bytes), headers: { 'content-type': type } });
}

/** A download as bytes (the test client reads text), with the caller's cookie or bearer. */
export async function download(c: TestClient, path: string) {
  const headers: Record<string, string> = {};
  if (c.cookie) headers.cookie = c.cookie;
  if (c.bearer) headers.authorization = `Bearer ${c.bearer}`;
  const res = await fetch(c.baseUrl + path, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}
