import { Badge, MantineProvider, createTheme, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient } from '@tanstack/react-query';
import { createAsyncStoragePersister } from '@tanstack/query-async-storage-persister';
import { PersistQueryClientProvider } from '@tanstack/react-query-persist-client';
import { useEffect, type ReactNode } from 'react';
import { ApiError } from '@/lib/api/client';
import { db } from '@/lib/offline/db';
import { startSync } from '@/lib/offline/sync';

const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: 8,
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  defaultRadius: 'md',
  components: {
    // A status, priority or SLA badge is a figure people act on: it is never cut to "ASSIGN…".
    // Tables make room for it instead.
    Badge: Badge.extend({
      styles: {
        root: { overflow: 'visible', flexShrink: 0 },
        label: { overflow: 'visible', textOverflow: 'clip' },
      },
    }),
  },
});

// Secondary text and placeholders one shade darker than Mantine's defaults, for 4.5:1 contrast.
const resolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-7)',
  },
  dark: {},
});

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Offline, reads come from the copy kept on the device; a refused read is not retried.
      networkMode: 'offlineFirst',
      retry: (count, e) => !(e instanceof ApiError && e.status < 500) && count < 2,
      gcTime: 7 * 24 * 3600_000,
    },
    mutations: { networkMode: 'always' },
  },
});

/** The per-user copy of what was read, kept in IndexedDB so the technician's assigned work
 * opens without signal (cleared at sign-out). */
const persister = createAsyncStoragePersister({
  storage: {
    getItem: async (key) => (await db.kv.get(key))?.value ?? null,
    setItem: async (key, value) => {
      await db.kv.put({ key, value });
    },
    removeItem: async (key) => {
      await db.kv.delete(key);
    },
  },
  throttleTime: 2_000,
});

export function Providers({ children }: { children: ReactNode }) {
  useEffect(() => startSync(), []);
  return (
    <MantineProvider theme={theme} cssVariablesResolver={resolver}>
      <Notifications position="top-center" />
      <PersistQueryClientProvider
        client={queryClient}
        persistOptions={{
          persister,
          maxAge: 7 * 24 * 3600_000,
          dehydrateOptions: {
            shouldDehydrateQuery: (q) => q.state.status === 'success' && q.meta?.persist !== false,
          },
        }}
      >
        {children}
      </PersistQueryClientProvider>
    </MantineProvider>
  );
}
