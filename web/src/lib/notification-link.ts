/** Where a notification leads: the record it is about, when the app has a page for it. */
export function notificationLink(n: { entityType?: string | null; entityId?: string | null }): string | null {
  if (!n.entityId) return null;
  switch (n.entityType) {
    case 'work_order':
      return `/work-orders/${n.entityId}`;
    case 'part':
      return `/parts/${n.entityId}`;
    default:
      return null;
  }
}
