import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The agent console. `npm run build` (from the repo root) writes agent-console/dist, which the
 * server serves at /console/. For `vite --config agent-console/vite.config.ts` during
 * development, /api and /socket.io are proxied to the server on MADOGUCHI_API (default http://localhost:3000).
 */
const api = process.env.MADOGUCHI_API ?? 'http://localhost:3000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
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
