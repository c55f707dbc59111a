//! The progress stream of a job, as server-sent events.
//!
//! `GET /api/jobs/{id}/events` sends one `progress` event at once (the
//! job's state now) and one at every change after it: replications done,
//! the current 95% half-width of the time in port, the state. The stream
//! ends after the event that carries a final state (done, cancelled,
//! failed), so a browser's `EventSource` is closed by the page rather
//! than reconnecting forever. Changes are read from the job's `watch`
//! channel, which keeps only the newest value: a slow client skips
//! intermediate counts instead of making the server queue them.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream};
use tokio::sync::watch;

use super::jobs::Progress;

/// The events of `rx`, until a final state.
pub fn stream(rx: watch::Receiver<Progress>) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let events = stream::unfold(Some((rx, true)), |state| async move {
        let (mut rx, first) = state?;
        if !first && rx.changed().await.is_err() {
            // The job is gone: send its last state and end.
            let last = rx.borrow().clone();
            return Some((Ok(event(&last)), None));
        }
        let now = rx.borrow_and_update().clone();
        let next = (!now.state.is_final()).then_some((rx, false));
        Some((Ok(event(&now)), next))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}

fn event(p: &Progress) -> Event {
    Event::default()
        .event("progress")
        .data(serde_json::to_string(p).unwrap_or_else(|_| "{}".into()))
}
