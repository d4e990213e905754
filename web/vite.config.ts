import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import { fileURLToPath, URL } from 'node:url';

// The app is served by the hmms binary at `/`; in development Vite proxies the API to a
// running `hmms serve` (HMMS_DEV_API, default http://127.0.0.1:8080).
const api = process.env.HMMS_DEV_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  plugins: [
    react(),
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: false,
      manifest: {
        name: 'HMMS — Hospital Maintenance',
        short_name: 'HMMS',
        description: 'Work orders, equipment and preventive maintenance for hospitals.',
        theme_color: '#1c6e8c',
        background_color: '#ffffff',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The shell is precached; API reads are never cached by the worker (the app keeps its
        // own per-user copy in IndexedDB, cleared at sign-out).
        globPatterns: ['**/*.{js,css,html,svg,png,woff2}'],
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//, /^\/health\//, /^\/metrics/],
        importScripts: ['/push-sw.js'],
        // A new worker takes over at once, including the page that installed it, so the app
        // opens without signal from the first visit on.
        clientsClaim: true,
        skipWaiting: true,
      },
    }),
  ],
  build: {
    target: 'es2022',
    sourcemap: false,
    // The app shell is one chunk on purpose (sign-in + dashboard + work orders); rarely used
    // screens are split off. docs/benchmarks.md tracks its gzipped weight.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': api, '/health': api },
  },
});
