// Web Push for HMMS, loaded into the generated service worker (workbox importScripts).
self.addEventListener('push', (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: 'HMMS', body: event.data ? event.data.text() : '' };
  }
  const title = data.title || 'HMMS';
  event.waitUntil(
    self.registration.showNotification(title, {
      body: data.body || '',
      tag: data.notificationId || undefined,
      data: { url: data.entityType === 'work_order' && data.entityId ? '/work-orders/' + data.entityId : '/notifications' },
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((windows) => {
      for (const w of windows) {
        if ('focus' in w) {
          w.navigate(url);
          return w.focus();
        }
      }
      return self.clients.openWindow(url);
    }),
  );
});
