import { describe, expect, it } from 'vitest';
import { parseSse } from './events';

describe('server-sent events parser', () => {
  it('reads id, type and JSON data, keeping an unfinished message for the next chunk', () => {
    const chunk = 'id: 7\nevent: WORK_ORDER_ASSIGNED\ndata: {"entityId":"x"}\n\n: keep-alive\n\nid: 8\nevent: SLA';
    const { messages, rest } = parseSse(chunk);
    expect(messages).toEqual([{ id: '7', type: 'WORK_ORDER_ASSIGNED', data: { entityId: 'x' } }]);
    const next = parseSse(rest + '_BREACHED\ndata: {"a":1}\n\n');
    expect(next.messages).toEqual([{ id: '8', type: 'SLA_BREACHED', data: { a: 1 } }]);
    expect(next.rest).toBe('');
  });
});
