import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage, unwrap } from '@/lib/api/client';
import { t } from '@/i18n';
import { cameraPossible, scanWithCamera } from '../api/camera-scanner';

/** Where a scanned record opens in the app. */
function route(kind: string, id: string): string {
  if (kind === 'work_order') return `/work-orders/${id}`;
  if (kind === 'asset') return `/assets/${id}`;
  return `/work-orders?locationId=${id}`;
}

/** Scan an equipment or room QR code with the camera, or type the code from the label. */
export function ScanPage() {
  const navigate = useNavigate();
  const video = useRef<HTMLVideoElement>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [camera, setCamera] = useState<'off' | 'on' | 'unavailable'>(cameraPossible() ? 'off' : 'unavailable');

  const resolve = async (raw: string) => {
    setError(null);
    try {
      const found = await unwrap(api.GET('/api/v1/scan/{code}', { params: { path: { code: raw.trim() } } }));
      navigate(route(found.kind, found.id));
    } catch (e) {
      setError(errorMessage(e));
      setCamera('off');
    }
  };

  useEffect(() => {
    if (camera !== 'on' || !video.current) return;
    let stop: (() => void) | undefined;
    let cancelled = false;
    scanWithCamera(video.current, (text) => void resolve(text)).then(
      (s) => (cancelled ? s() : (stop = s)),
      () => setCamera('unavailable'),
    );
    return () => {
      cancelled = true;
      stop?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [camera]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (code.trim()) void resolve(code);
  };

  return (
    <Stack>
      <Title order={1} size="h3">
        {t('scan.title')}
      </Title>
      {camera === 'on' && (
        <>
          <video ref={video} muted playsInline style={{ width: '100%', borderRadius: 8, background: '#000' }} aria-label={t('scan.camera')} />
          <Text size="sm" c="dimmed">
            {t('scan.hold')}
          </Text>
          <Button variant="default" onClick={() => setCamera('off')}>
            {t('scan.stop')}
          </Button>
        </>
      )}
      {camera === 'off' && (
        <Button size="xl" onClick={() => setCamera('on')}>
          {t('scan.start')}
        </Button>
      )}
      {camera === 'unavailable' && <Text c="dimmed">{t('scan.noCamera')}</Text>}
      <form onSubmit={submit}>
        <Stack gap="xs">
          <TextInput label={t('scan.manual')} placeholder={t('scan.manualHint')} value={code} onChange={(e) => setCode(e.currentTarget.value)} size="md" />
          <Button type="submit" size="md" variant="light" disabled={!code.trim()}>
            {t('scan.open')}
          </Button>
        </Stack>
      </form>
      {error && (
        <Alert color="red" role="alert">
          {error}
        </Alert>
      )}
    </Stack>
  );
}
