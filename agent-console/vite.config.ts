import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The agent console. `npm run build` (from the repo root) writes agent-console/dist, which the
 * server serves at /console/. For `vite --config agent-console/vite.config.ts` during
 * development, /api and /socket.io are proxied to the server on MADOGUCHI_API (default http://localhost:3000).
 */
const api = process.env.MADOGUCHI_API ?? 'http://localhost:3000';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Writes .br and .gz beside each text file of the build, once, at their best settings; the server
 * sends them to browsers that accept them (@koa/send looks for them) instead of compressing per request.
 */
function precompress(): Plugin {
  return {
    name: 'madoguchi-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      const files = Object.keys(bundle).filter((f) => /\.(js|css|html|svg|json)$/.test(f));
      await Promise.all(
        files.map(async (f) => {
          const path = join(dir, f);
          const raw = await readFile(path);
          await writeFile(`${path}.br`, await brotli(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } }));
          await writeFile(`${path}.gz`, await gz(raw, { level: 9 }));
        }),
      );
    },
  };
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/api': api,
      // The console's live connection (same origin in production; proxied here).
      '/socket.io': { target: api, ws: true },
    },
  },
});
