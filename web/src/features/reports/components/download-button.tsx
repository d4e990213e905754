import { Button } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { t } from '@/i18n';
import { errorMessage } from '@/lib/api/client';
import { downloadAuthed } from '@/lib/download';

/** The local day an instant falls on, as `2026-12-01` (a period starting at local midnight is
 * named for that day, not the UTC day before). */
export function localDay(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Downloads a report file (`/api/v1/reports/<path>?<query>`) as it stands on screen. */
export function DownloadButton({ path, query, fileName, label }: { path: string; query: object; fileName: string; label: string }) {
  const [busy, setBusy] = useState(false);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (typeof v === 'string' && v) params.set(k, v);
  const download = async () => {
    setBusy(true);
    try {
      await downloadAuthed(`/api/v1/reports/${path}?${params.toString()}`, fileName);
    } catch (e) {
      notifications.show({ color: 'red', title: t('error.actionFailed'), message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button variant="default" loading={busy} onClick={() => void download()}>
      {label}
    </Button>
  );
}
