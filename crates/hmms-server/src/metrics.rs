//! A few Prometheus counters, kept by hand: request counts by method and status class, time
//! spent, requests in flight, and uptime.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Instant;

const METHODS: [&str; 6] = ["GET", "POST", "PATCH", "PUT", "DELETE", "OTHER"];
const CLASSES: [&str; 5] = ["1xx", "2xx", "3xx", "4xx", "5xx"];

#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

struct Inner {
    started: Instant,
    requests: [[AtomicU64; 5]; 6],
    seconds_micros: AtomicU64,
    in_flight: AtomicI64,
    logins_failed: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics(Arc::new(Inner {
            started: Instant::now(),
            requests: Default::default(),
            seconds_micros: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            logins_failed: AtomicU64::new(0),
        }))
    }
}

impl Metrics {
    pub fn start(&self) {
        self.0.in_flight.fetch_add(1, Ordering::Relaxed);
    }

    pub fn finish(&self, method: &str, status: u16, micros: u64) {
        let m = METHODS.iter().position(|x| *x == method).unwrap_or(5);
        let c = ((status / 100) as usize).clamp(1, 5) - 1;
        self.0.requests[m][c].fetch_add(1, Ordering::Relaxed);
        self.0.seconds_micros.fetch_add(micros, Ordering::Relaxed);
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn login_failed(&self) {
        self.0.logins_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str(
            "# HELP hmms_http_requests_total HTTP requests answered, by method and status class.\n",
        );
        s.push_str("# TYPE hmms_http_requests_total counter\n");
        for (mi, m) in METHODS.iter().enumerate() {
            for (ci, c) in CLASSES.iter().enumerate() {
                let n = self.0.requests[mi][ci].load(Ordering::Relaxed);
                let _ = writeln!(
                    s,
                    "hmms_http_requests_total{{method=\"{m}\",status=\"{c}\"}} {n}"
                );
            }
        }
        let secs = self.0.seconds_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(
            s,
            "# HELP hmms_http_request_seconds_total Time spent answering requests."
        );
        let _ = writeln!(s, "# TYPE hmms_http_request_seconds_total counter");
        let _ = writeln!(s, "hmms_http_request_seconds_total {secs}");
        let _ = writeln!(
            s,
            "# HELP hmms_http_requests_in_flight Requests being answered now."
        );
        let _ = writeln!(s, "# TYPE hmms_http_requests_in_flight gauge");
        let _ = writeln!(
            s,
            "hmms_http_requests_in_flight {}",
            self.0.in_flight.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP hmms_logins_failed_total Failed sign-in attempts."
        );
        let _ = writeln!(s, "# TYPE hmms_logins_failed_total counter");
        let _ = writeln!(
            s,
            "hmms_logins_failed_total {}",
            self.0.logins_failed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            s,
            "# HELP hmms_uptime_seconds Seconds since the server started."
        );
        let _ = writeln!(s, "# TYPE hmms_uptime_seconds gauge");
        let _ = writeln!(
            s,
            "hmms_uptime_seconds {}",
            self.0.started.elapsed().as_secs()
        );
        s
    }
}
