//! How phones reach the room: connected phones per address of this computer, and their heartbeat round trips.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::protocol::{encode, RoundTrips, ToPresenter, Via};

/// The address of this computer a connection came in on (the accept loop adds it to each request).
#[derive(Debug, Clone, Copy)]
pub struct LocalAddr(pub SocketAddr);

/// How often the presenter hears of the room, at most.
const PUBLISH_EVERY: Duration = Duration::from_secs(2);
/// Round trips older than this no longer describe the room.
const WINDOW: Duration = Duration::from_secs(60);
/// Enough round trips for a median and a 95th percentile at any room size; the oldest go first.
const MAX_SAMPLES: usize = 4096;
/// Too few round trips say nothing about the Wi-Fi.
const MIN_SAMPLES: usize = 5;
/// A healthy room Wi-Fi answers in tens of milliseconds; these mean phones wait
/// visibly for slides and acknowledgements.
const SATURATED_MEDIAN_MS: u32 = 150;
const SATURATED_P95_MS: u32 = 500;

/// Shared by every participant socket (which report) and the presenter sockets
/// (which watch the `room` frame). Cheap to clone.
#[derive(Clone)]
pub struct RoomCheck {
    inner: Arc<Inner>,
}

struct Inner {
    /// Connected phones per local address. A std mutex: never held across an await.
    via: Mutex<HashMap<IpAddr, usize>>,
    /// Recent round trips with when they were measured, oldest first.
    trips: Mutex<VecDeque<(Instant, u32)>>,
    /// Presenter sockets hold the receivers; the publisher task the sender.
    frames: watch::Sender<Utf8Bytes>,
}

/// A phone counted on its address until dropped.
pub struct Arrival {
    room: RoomCheck,
    address: IpAddr,
}

impl RoomCheck {
    pub fn new() -> Self {
        let frame = encode(&ToPresenter::Room { via: &[], round_trips: None }).into();
        RoomCheck {
            inner: Arc::new(Inner {
                via: Mutex::default(),
                trips: Mutex::default(),
                frames: watch::Sender::new(frame),
            }),
        }
    }

    /// Counts a phone on the address it came in on.
    pub fn arrive(&self, address: IpAddr) -> Arrival {
        *lock(&self.inner.via).entry(address).or_default() += 1;
        Arrival { room: self.clone(), address }
    }

    /// A phone answered a heartbeat after `took`.
    pub fn round_trip(&self, took: Duration) {
        let millis = u32::try_from(took.as_millis()).unwrap_or(u32::MAX);
        let mut trips = lock(&self.inner.trips);
        if trips.len() == MAX_SAMPLES {
            trips.pop_front();
        }
        trips.push_back((Instant::now(), millis));
    }

    /// The latest `room` frame, now and on every change.
    pub fn subscribe(&self) -> watch::Receiver<Utf8Bytes> {
        self.inner.frames.subscribe()
    }

    /// Publishes the room every [`PUBLISH_EVERY`] when it changed, until `shutdown`.
    pub async fn publish(self, shutdown: CancellationToken) {
        let mut every = tokio::time::interval(PUBLISH_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = every.tick() => {}
            }
            let frame = self.frame();
            self.inner.frames.send_if_modified(|current| {
                let changed = *current != frame;
                *current = frame;
                changed
            });
        }
    }

    fn frame(&self) -> Utf8Bytes {
        let mut via: Vec<Via> = lock(&self.inner.via)
            .iter()
            .filter(|(_, phones)| **phones > 0)
            .map(|(address, phones)| Via { address: *address, phones: *phones })
            .collect();
        via.sort_by(|a, b| b.phones.cmp(&a.phones).then(a.address.cmp(&b.address)));
        let round_trips = self.round_trips();
        encode(&ToPresenter::Room { via: &via, round_trips }).into()
    }

    fn round_trips(&self) -> Option<RoundTrips> {
        let mut recent: Vec<u32> = {
            let mut trips = lock(&self.inner.trips);
            let now = Instant::now();
            while trips.front().is_some_and(|(at, _)| now.duration_since(*at) > WINDOW) {
                trips.pop_front();
            }
            trips.iter().map(|(_, millis)| *millis).collect()
        };
        if recent.len() < MIN_SAMPLES {
            return None;
        }
        recent.sort_unstable();
        let at = |share: f64| recent[((recent.len() - 1) as f64 * share).round() as usize];
        let (median_ms, p95_ms) = (at(0.5), at(0.95));
        let saturated = median_ms >= SATURATED_MEDIAN_MS || p95_ms >= SATURATED_P95_MS;
        Some(RoundTrips { median_ms, p95_ms, samples: recent.len(), saturated })
    }
}

impl Default for RoomCheck {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Arrival {
    fn drop(&mut self) {
        let mut via = lock(&self.room.inner.via);
        if let Some(phones) = via.get_mut(&self.address) {
            *phones = phones.saturating_sub(1);
            if *phones == 0 {
                via.remove(&self.address);
            }
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn room_frame(room: &RoomCheck) -> serde_json::Value {
        serde_json::from_str(room.frame().as_str()).expect("json")
    }

    #[test]
    fn counts_phones_per_address_and_forgets_those_gone() {
        let room = RoomCheck::new();
        let wifi: IpAddr = "192.168.1.23".parse().expect("ip");
        let cable: IpAddr = "10.0.0.4".parse().expect("ip");
        let phones: Vec<Arrival> = (0..12).map(|_| room.arrive(wifi)).collect();
        let laptop = room.arrive(cable);
        let frame = room_frame(&room);
        assert_eq!(
            frame["via"],
            serde_json::json!([{"address": "192.168.1.23", "phones": 12}, {"address": "10.0.0.4", "phones": 1}])
        );
        drop(laptop);
        drop(phones);
        assert_eq!(room_frame(&room)["via"], serde_json::json!([]));
    }

    #[tokio::test(start_paused = true)]
    async fn median_and_95th_percentile_of_the_last_minute_and_a_saturated_room() {
        let room = RoomCheck::new();
        for millis in [20, 25, 30] {
            room.round_trip(Duration::from_millis(millis));
        }
        assert_eq!(room_frame(&room)["round_trips"], serde_json::Value::Null, "too few to say");
        for millis in 1..=100 {
            room.round_trip(Duration::from_millis(millis));
        }
        let trips = room.round_trips().expect("figures");
        assert_eq!((trips.median_ms, trips.p95_ms, trips.samples, trips.saturated), (49, 95, 103, false));
        // A minute later those are old news; a struggling Wi-Fi now.
        tokio::time::advance(WINDOW + Duration::from_secs(1)).await;
        for millis in [180, 200, 220, 900, 240, 260] {
            room.round_trip(Duration::from_millis(millis));
        }
        let trips = room.round_trips().expect("figures");
        assert_eq!((trips.median_ms, trips.samples, trips.saturated), (240, 6, true));
    }
}
