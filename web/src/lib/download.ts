import { session } from './auth/session';

/** Saves a file the API serves only to signed-in users (a plain link cannot send the token). */
export async function downloadAuthed(url: string, fileName: string): Promise<void> {
  const token = await session.accessToken();
  const res = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  if (!res.ok) throw new Error(`Download failed (${res.status})`);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(href), 1_000);
}
