/** Reads QR codes from the camera: the browser's own `BarcodeDetector` where there is one
 * (Chrome on Android), else ZXing, loaded only when the camera is first opened (Safari on
 * iPhone, Firefox). */

interface NativeDetector {
  detect(source: HTMLVideoElement): Promise<{ rawValue: string }[]>;
}
declare global {
  interface Window {
    BarcodeDetector?: (new (options: { formats: string[] }) => NativeDetector) & {
      getSupportedFormats?: () => Promise<string[]>;
    };
  }
}

/** Whether this device can have a camera at all (a secure page with media devices). */
export function cameraPossible(): boolean {
  return typeof navigator !== 'undefined' && !!navigator.mediaDevices?.getUserMedia && window.isSecureContext;
}

async function nativeQr(): Promise<NativeDetector | null> {
  if (!window.BarcodeDetector) return null;
  const formats = (await window.BarcodeDetector.getSupportedFormats?.()) ?? ['qr_code'];
  return formats.includes('qr_code') ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
}

/**
 * Shows the rear camera in `video` and calls `onCode` with the first QR code read. Returns a
 * function that stops the camera.
 */
export async function scanWithCamera(video: HTMLVideoElement, onCode: (text: string) => void): Promise<() => void> {
  const native = await nativeQr();
  if (native) {
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    video.srcObject = stream;
    await video.play();
    let stopped = false;
    const stop = () => {
      stopped = true;
      stream.getTracks().forEach((t) => t.stop());
    };
    void (async () => {
      while (!stopped) {
        const [hit] = await native.detect(video).catch(() => []);
        if (hit && !stopped) {
          stop();
          onCode(hit.rawValue);
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    return stop;
  }
  const { BrowserQRCodeReader } = await import('@zxing/browser');
  const reader = new BrowserQRCodeReader(undefined, { delayBetweenScanAttempts: 200 });
  let done = false;
  const controls = await reader.decodeFromConstraints({ video: { facingMode: 'environment' } }, video, (result) => {
    if (result && !done) {
      done = true;
      controls.stop();
      onCode(result.getText());
    }
  });
  return () => controls.stop();
}
