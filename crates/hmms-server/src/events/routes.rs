//! `GET /events`: the live stream (Server-Sent Events).

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{LiveEvent, since, visibility};
use crate::auth::principal::{self, Principal};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(live_events))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
pub struct EventsQuery {
    /// Resume after this event (for clients that cannot send the `Last-Event-ID` header).
    #[param(minimum = 0)]
    pub last_event_id: Option<i64>,
}

/// How many missed events a reconnecting client is sent at most.
const REPLAY_LIMIT: u64 = 1000;
/// The user's rights are re-read this often; a deactivated user's stream ends.
const RECHECK: Duration = Duration::from_secs(60);
/// Streams end after this long; browsers reconnect on their own with `Last-Event-ID`.
const MAX_LIFETIME: Duration = Duration::from_secs(30 * 60);

struct Cursor {
    state: AppState,
    p: Principal,
    rx: broadcast::Receiver<std::sync::Arc<LiveEvent>>,
    backlog: VecDeque<LiveEvent>,
    last: i64,
    checked: Instant,
    opened: Instant,
    closing: tokio::sync::watch::Receiver<bool>,
}

impl Cursor {
    async fn next_event(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if self.opened.elapsed() > MAX_LIFETIME {
                return None;
            }
            if self.checked.elapsed() > RECHECK {
                // A stream ends with the sign-in it was opened under.
                if let Some(s) = self.p.session {
                    let now = self.state.clock.now();
                    if !principal::session_alive(&self.state.db, s, self.p.id(), now)
                        .await
                        .unwrap_or(false)
                    {
                        return None;
                    }
                }
                let session = self.p.session;
                self.p = principal::load(&self.state.db, self.p.id(), self.p.meta.clone())
                    .await
                    .ok()
                    .flatten()?;
                self.p.session = session;
                self.checked = Instant::now();
            }
            if let Some(e) = self.backlog.pop_front() {
                if e.seq <= self.last {
                    continue;
                }
                self.last = e.seq;
                let visible = match self.state.registered::<visibility::Visibility>() {
                    Ok(v) => v.may_see(&self.state.db, &self.p, &e).await,
                    Err(err) => {
                        tracing::error!(error = %err, "events cannot be judged; none is sent");
                        false
                    }
                };
                if visible {
                    let data = serde_json::to_string(&e).unwrap_or_default();
                    let event = Event::default()
                        .id(e.seq.to_string())
                        .event(e.event_type.clone())
                        .data(data);
                    return Some((Ok(event), self));
                }
                continue;
            }
            if *self.closing.borrow() {
                return None;
            }
            let received = tokio::select! {
                r = self.rx.recv() => r,
                _ = self.closing.changed() => return None,
            };
            match received {
                Ok(e) => self.backlog.push_back((*e).clone()),
                // Fell behind the broadcast: read what was missed from the outbox.
                Err(RecvError::Lagged(_)) => self
                    .backlog
                    .extend(since(&self.state.db, self.last, REPLAY_LIMIT).await.ok()?),
                Err(RecvError::Closed) => return None,
            }
        }
    }
}

/// Live events about the records you may see, as Server-Sent Events. Each event's `id` is its
/// sequence number: reconnect with `Last-Event-ID` (or `?lastEventId=`) to receive what you
/// missed (up to 1,000 events) before new ones.
#[utoipa::path(get, path = "/events", tag = "events",
    params(EventsQuery, ("Last-Event-ID" = Option<String>, Header, description = "The last event you received")),
    responses((status = 200, description = "An endless `text/event-stream`; each `data` is a LiveEvent",
               content_type = "text/event-stream", body = super::LiveEvent)))]
pub async fn live_events(
    State(state): State<AppState>,
    p: Principal,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<EventsQuery>,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    let header_id = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<i64>().ok())
                .ok_or_else(|| {
                    ApiError::BadRequest(
                        "Last-Event-ID must be the id of an event you received.".into(),
                    )
                })?,
        ),
    };
    // Subscribe before reading the backlog, so nothing falls between the two.
    let rx = state.events.subscribe();
    let (backlog, last) = match header_id.or(q.last_event_id) {
        Some(after) => (since(&state.db, after, REPLAY_LIMIT).await?.into(), after),
        None => (VecDeque::new(), super::latest_seq(&state.db).await),
    };
    let closing = state.events.closing();
    let cursor = Cursor {
        state,
        p,
        rx,
        backlog,
        last,
        checked: Instant::now(),
        opened: Instant::now(),
        closing,
    };
    let stream = futures_util::stream::unfold(cursor, Cursor::next_event);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
