import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import * as tar from 'tar';
import { BackupError, manifestSchema, type Manifest } from './backup.manifest.ts';

/**
 * Archives hold every shop's customers, messages and files: only the server's own user may
 * read them, and the folders they are made in.
 */
export const PRIVATE_FILE = 0o600;
export const PRIVATE_DIR = 0o700;

/** Makes `dir` (and missing parents) readable by the server's user only, tightening one that exists. */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  await chmod(dir, PRIVATE_DIR);
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Every regular file under root, as paths relative to it; dot files are the store's temp files. */
async function walk(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/**
 * Puts the stored files into the staging folder and records each one's size and SHA-256.
 * Hard links, where the two folders share a file system: no copy of the bytes, and still a
 * snapshot, since the store replaces a file by renaming a new one over it, never by writing
 * into it. Elsewhere a copy.
 */
export async function stageFiles(from: string, to: string): Promise<Manifest['files']> {
  const files: Manifest['files'] = {};
  for (const path of await walk(from)) {
    const src = join(from, path);
    const dest = join(to, path);
    await mkdir(dirname(dest), { recursive: true });
    await link(src, dest).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return; // deleted since the walk: gone from the shop's data too
      await copyFile(src, dest);
    });
    const info = await stat(dest).catch(() => undefined);
    if (info) files[path.split(sep).join('/')] = { bytes: info.size, sha256: await sha256(dest) };
  }
  return files;
}

/** Writes the staging folder as one .tar.gz, under a temporary name until it is complete. */
export async function packArchive(stagingDir: string, file: string): Promise<void> {
  const partial = `${file}.partial`;
  try {
    await tar.c({ gzip: true, portable: true, cwd: stagingDir, file: partial, mode: PRIVATE_FILE }, await readdir(stagingDir));
    await rename(partial, file);
  } catch (e) {
    await rm(partial, { force: true });
    throw e;
  }
}

/**
 * Unpacks an archive and checks it against its manifest: the dump's and every file's SHA-256.
 * A truncated or damaged archive, or a file that is not a backup, is a BackupError saying so.
 */
export async function unpackArchive(file: string, dir: string): Promise<Manifest> {
  await stat(file).catch(() => {
    throw new BackupError(`no archive at ${file}`);
  });
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  try {
    // Regular files and folders only; node-tar already refuses absolute paths and `..`.
    await tar.x({ file, cwd: dir, strict: true, filter: (_, entry) => 'type' in entry && (entry.type === 'File' || entry.type === 'Directory') });
  } catch (e) {
    throw new BackupError(`the archive ${file} is damaged or truncated and cannot be unpacked (${(e as Error).message}); use another backup`);
  }
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));
  } catch (e) {
    const missing = (e as NodeJS.ErrnoException).code === 'ENOENT';
    throw new BackupError(`${file} is not a madoguchi backup: ${missing ? 'it has no manifest.json' : 'its manifest.json is not readable'}`);
  }
  const damaged: string[] = [];
  const dumpPath = join(dir, manifest.database.dump);
  if ((await sha256(dumpPath).catch(() => null)) !== manifest.database.dumpSha256) damaged.push(manifest.database.dump);
  for (const [path, sum] of Object.entries(manifest.files)) {
    if ((await sha256(join(dir, 'files', path)).catch(() => null)) !== sum.sha256) damaged.push(`files/${path}`);
  }
  if (damaged.length) {
    throw new BackupError(`the archive ${file} is damaged: ${damaged.length} part(s) missing or not matching the manifest (${damaged.slice(0, 5).join(', ')}${damaged.length > 5 ? ', …' : ''}); use another backup`);
  }
  return manifest;
}
