import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The customer chat widget: one self-contained script (IIFE, socket.io-client inside) that a
 * shop adds with a single <script> tag; the server serves it at /widget.js. Built by
 * `npm run build` after the console, into agent-console/dist-widget/widget.js.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./widget', import.meta.url)),
  // Library mode leaves process.env.NODE_ENV alone; nothing on a shop's page defines `process`.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('./dist-widget', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    minify: true,
    sourcemap: false,
    lib: {
      entry: fileURLToPath(new URL('./widget/widget.ts', import.meta.url)),
      name: 'MadoguchiWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
