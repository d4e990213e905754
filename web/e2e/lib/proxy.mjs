// A pass-through HTTP proxy between a browser and the server, for faults no page or service
// worker can route around: the browser talks to the proxy, the proxy to the server. Used to lose
// an answer on the way back (the server did the work; the phone never heard).
import http from 'node:http';

/** Starts a proxy in front of `target` (e.g. `http://127.0.0.1:1234`). */
export async function startProxy(target) {
  const upstream = new URL(target);
  const sockets = new Set();
  let dropNext = null;
  const state = { dropped: 0 };
  // What went through, in order: { method, url, status, lost }.
  const log = [];
  const server = http.createServer((req, res) => {
    const drop = dropNext !== null && dropNext(req);
    if (drop) dropNext = null;
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (drop) {
        // The server answered; the connection breaks before the phone hears it.
        answer.resume();
        answer.on('end', () => {
          state.dropped++;
          log.push({ method: req.method, url: req.url, status: answer.statusCode, lost: true });
          req.socket.destroy();
        });
        return;
      }
      log.push({ method: req.method, url: req.url, status: answer.statusCode, lost: false });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // A test that fails half-way must not keep the runner alive.
  server.unref();
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    /** The next request matching `match(req)` reaches the server, but its answer is lost. */
    loseNextAnswer(match) {
      dropNext = match;
    },
    get dropped() {
      return state.dropped;
    },
    /** The requests that went through, with their answers' status and whether it was lost. */
    log,
    /** Resolves once `done()` holds (checked every 50 ms), or rejects after `ms`. */
    async until(done, ms = 30_000) {
      const end = Date.now() + ms;
      while (!done()) {
        if (Date.now() > end) throw new Error(`proxy: still waiting after ${ms} ms; saw ${JSON.stringify(log.slice(-10))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
