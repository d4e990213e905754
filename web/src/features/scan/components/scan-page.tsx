import { Alert, Button, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, errorMessage, unwrap } from '@/lib/api/client';
import { t } from '@/i18n';

interface Detector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: new (options: { formats: string[] }) => Detector;
  }
}

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
  const [camera, setCamera] = useState<'off' | 'on' | 'unavailable'>(window.BarcodeDetector ? 'off' : 'unavailable');

  const resolve = async (raw: string) => {
    setError(null);
    try {
      const found = await unwrap(api.GET('/api/v1/scan/{code}', { params: { path: { code: raw.trim() } } }));
      navigate(route(found.kind, found.id));
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  useEffect(() => {
    if (camera !== 'on' || !window.BarcodeDetector) return;
    let stream: MediaStream | undefined;
    let stopped = false;
    const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
    void (async () => {
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
        if (!video.current) return;
        video.current.srcObject = stream;
        await video.current.play();
        while (!stopped) {
          const [hit] = await detector.detect(video.current);
          if (hit) {
            stopped = true;
            await resolve(hit.rawValue);
            break;
          }
          await new Promise((r) => setTimeout(r, 250));
        }
      } catch {
        setCamera('unavailable');
      }
    })();
    return () => {
      stopped = true;
      stream?.getTracks().forEach((track) => track.stop());
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
      {camera === 'on' && <video ref={video} muted playsInline style={{ width: '100%', borderRadius: 8, background: '#000' }} aria-label={t('scan.camera')} />}
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
