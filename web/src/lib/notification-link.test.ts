import { describe, expect, it } from 'vitest';
import { notificationLink } from './notification-link';

describe('notificationLink', () => {
  it('leads to the work order or the part a notification is about', () => {
    expect(notificationLink({ entityType: 'work_order', entityId: 'w1' })).toBe('/work-orders/w1');
    expect(notificationLink({ entityType: 'part', entityId: 'p1' })).toBe('/parts/p1');
  });
  it('leads nowhere for records without a page, or without an id', () => {
    expect(notificationLink({ entityType: 'user', entityId: 'u1' })).toBeNull();
    expect(notificationLink({ entityType: 'part', entityId: null })).toBeNull();
  });
});
