import { session } from '../auth/session';

export interface LiveMessage {
  id: string;
  type: string;
  data: unknown;
}

/** Splits an SSE byte stream into messages (the parts of the format the server sends). */
export function parseSse(buffer: string): { messages: LiveMessage[]; rest: string } {
  const messages: LiveMessage[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let id = '';
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
      if (field === 'id') id = value;
      else if (field === 'event') type = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length === 0) continue;
    let parsed: unknown = data.join('\n');
    try {
      parsed = JSON.parse(parsed as string);
    } catch {
      /* keep the text */
    }
    messages.push({ id, type, data: parsed });
  }
  return { messages, rest };
}

/**
 * Follows `GET /api/v1/events` (fetch, not EventSource, so the bearer token can be sent),
 * resuming after the last event seen with `Last-Event-ID` and reconnecting with backoff.
 * `onState` hears `true` on each connection, with whether it resumed after a known event (so
 * nothing was missed) or started afresh.
 * Returns a function that stops it.
 */
export function followEvents(onMessage: (m: LiveMessage) => void, onState?: (live: boolean, resumed: boolean) => void): () => void {
  let stopped = false;
  let lastId: string | null = null;
  let controller: AbortController | null = null;
  let delay = 1_000;

  const loop = async () => {
    while (!stopped) {
      const token = await session.accessToken();
      if (!token) return;
      controller = new AbortController();
      try {
        const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch('/api/v1/events', { headers, signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState?.(true, lastId !== null);
        delay = 1_000;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const parsed = parseSse(buffer + value);
          buffer = parsed.rest;
          for (const m of parsed.messages) {
            if (m.id) lastId = m.id;
            onMessage(m);
          }
        }
      } catch {
        /* reconnect below */
      }
      onState?.(false, false);
      if (stopped) return;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void loop();
  return () => {
    stopped = true;
    controller?.abort();
  };
}
