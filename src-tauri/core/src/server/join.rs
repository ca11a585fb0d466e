//! The join address on the projector: chosen among the machine's networks, and followed when the laptop's changes.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use serde::Serialize;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use crate::net::{self, Candidate};
use crate::protocol::{encode, ToPresenter};
use crate::session::Millis;

/// The setting that remembers the presenter's network, by interface name.
pub const REMEMBERED_INTERFACE: &str = "network_interface";

/// How often the interfaces are looked at again: a DHCP renewal or a switch of
/// networks reaches the projector's QR code within this and a frame.
pub const CHECK_EVERY: Duration = Duration::from_secs(2);

/// Where phones join, shared by the presenter sockets, the follower task and the
/// presenter's choice. Cheap to clone.
#[derive(Clone)]
pub struct JoinAddress {
    inner: Arc<Inner>,
}

struct Inner {
    port: u16,
    /// `--bind` named one address: nothing to choose or follow.
    fixed: Option<IpAddr>,
    /// A std mutex: held only to read or replace the choice, never across an await.
    choice: Mutex<Choice>,
    /// Presenter sockets hold the receivers: the latest `join` frame, encoded once per change.
    frames: watch::Sender<Utf8Bytes>,
}

/// What the QR code shows now, and what it was made from.
struct Choice {
    /// The interface the presenter picked, if any (kept while that interface is down).
    remembered: Option<String>,
    candidates: Vec<Candidate>,
    address: IpAddr,
    /// The address changed by itself (not by the presenter): from what, to what, when.
    moved: Option<Moved>,
}

/// The networks as a menu lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Networks {
    pub candidates: Vec<Candidate>,
    /// The interface the QR code's address is on; `None` without a network or with a bound address elsewhere.
    pub shown: Option<String>,
    /// `--bind` fixed the address: there is nothing to choose.
    pub fixed: bool,
}

/// The laptop's address changed under a running session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Moved {
    pub from: IpAddr,
    pub to: IpAddr,
    pub at: Millis,
}

/// The presenter asked for an interface the machine does not have (any more).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no network named {0:?} is up on this computer")]
pub struct NoSuchNetwork(pub String);

impl JoinAddress {
    /// The join address for a server on `port`: `fixed` when the presenter bound
    /// one address, else the remembered interface's or the best of `candidates`.
    pub fn new(port: u16, fixed: Option<IpAddr>, remembered: Option<String>, candidates: Vec<Candidate>) -> Self {
        let fixed = fixed.filter(|ip| !ip.is_unspecified());
        let address = address_for(fixed, &candidates, remembered.as_deref());
        let choice = Choice { remembered, candidates, address, moved: None };
        let frame = frame(port, fixed.is_some(), &choice);
        JoinAddress {
            inner: Arc::new(Inner { port, fixed, choice: Mutex::new(choice), frames: watch::Sender::new(frame) }),
        }
    }

    /// The address phones open, as the QR code carries it.
    pub fn url(&self) -> String {
        url(self.lock().address, self.inner.port)
    }

    /// The addresses phones might use, best first, and the interface shown (for a menu).
    pub fn networks(&self) -> Networks {
        let choice = self.lock();
        let shown = choice.candidates.iter().find(|c| IpAddr::V4(c.address) == choice.address);
        Networks {
            candidates: choice.candidates.clone(),
            shown: shown.map(|c| c.interface.clone()),
            fixed: self.inner.fixed.is_some(),
        }
    }

    /// The presenter's pick, shown at once and stored (by the one writer) for the next start.
    pub async fn choose_and_remember(&self, engine: &crate::engine::Engine, interface: String) -> Result<(), String> {
        self.choose(&interface).map_err(|refusal| refusal.to_string())?;
        engine.remember(REMEMBERED_INTERFACE, interface).await
    }

    /// Whether phones can reach the address shown: a network's, or one the presenter bound.
    pub fn on_a_network(&self) -> bool {
        self.inner.fixed.is_some() || !self.lock().address.is_loopback()
    }

    /// The `join` frame now and whenever it changes.
    pub fn subscribe(&self) -> watch::Receiver<Utf8Bytes> {
        self.inner.frames.subscribe()
    }

    /// The presenter picked a network: it is shown at once and kept while its interface is up.
    pub fn choose(&self, interface: &str) -> Result<(), NoSuchNetwork> {
        let mut choice = self.lock();
        let Some(picked) = choice.candidates.iter().find(|c| c.interface == interface) else {
            return Err(NoSuchNetwork(interface.to_string()));
        };
        if self.inner.fixed.is_none() {
            choice.address = IpAddr::V4(picked.address);
        }
        choice.remembered = Some(interface.to_string());
        choice.moved = None;
        self.publish(&choice);
        Ok(())
    }

    /// Takes the machine's interfaces as they are now. When the address phones were
    /// shown is gone or changed, the QR code follows and the presenter is told.
    pub fn refresh(&self, candidates: Vec<Candidate>) {
        let mut choice = self.lock();
        if choice.candidates == candidates {
            return;
        }
        let address = address_for(self.inner.fixed, &candidates, choice.remembered.as_deref());
        if address != choice.address {
            tracing::info!(from = %choice.address, to = %address, "the join address changed");
            choice.moved = Some(Moved { from: choice.address, to: address, at: crate::store::now_millis() });
            choice.address = address;
        }
        choice.candidates = candidates;
        self.publish(&choice);
    }

    /// Looks at the interfaces every [`CHECK_EVERY`] until `shutdown`.
    pub async fn follow(self, shutdown: CancellationToken) {
        let mut every = tokio::time::interval(CHECK_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                _ = every.tick() => {}
            }
            // A system call that may touch the disk on some systems: off the runtime's workers.
            if let Ok(candidates) = tokio::task::spawn_blocking(net::list).await {
                self.refresh(candidates);
            }
        }
    }

    fn publish(&self, choice: &Choice) {
        let frame = frame(self.inner.port, self.inner.fixed.is_some(), choice);
        self.inner.frames.send_replace(frame);
    }

    fn lock(&self) -> MutexGuard<'_, Choice> {
        self.inner.choice.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The fixed address, else the remembered interface's, else the best; this computer
/// alone when it has no network (the page says so).
fn address_for(fixed: Option<IpAddr>, candidates: &[Candidate], remembered: Option<&str>) -> IpAddr {
    fixed
        .or_else(|| net::choose(candidates, remembered).map(|c| IpAddr::V4(c.address)))
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

fn url(address: IpAddr, port: u16) -> String {
    format!("http://{}/", SocketAddr::new(address, port))
}

fn frame(port: u16, fixed: bool, choice: &Choice) -> Utf8Bytes {
    let url = url(choice.address, port);
    let qr_svg = crate::qr::qr_svg(&url).unwrap_or_else(|error| {
        tracing::error!(%error, "cannot draw the join QR code");
        String::new()
    });
    let shown = choice.candidates.iter().find(|c| IpAddr::V4(c.address) == choice.address);
    let network = match shown {
        Some(candidate) => format!("{} · {}", candidate.interface, candidate.address),
        None if choice.address.is_loopback() => format!("this computer only · {}", choice.address),
        None => choice.address.to_string(),
    };
    encode(&ToPresenter::Join {
        url: &url,
        qr_svg: &qr_svg,
        network: &network,
        interface: shown.map(|c| c.interface.as_str()),
        kind: shown.map(|c| c.kind),
        candidates: &choice.candidates,
        fixed,
        moved: choice.moved,
    })
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Kind;

    fn candidate(interface: &str, kind: Kind, address: [u8; 4]) -> Candidate {
        Candidate { interface: interface.into(), kind, address: address.into() }
    }

    fn frame_now(join: &JoinAddress) -> serde_json::Value {
        serde_json::from_str(join.subscribe().borrow().as_str()).expect("json")
    }

    #[test]
    fn follows_the_address_and_keeps_the_presenters_choice() {
        let wifi = candidate("wlan0", Kind::Wifi, [192, 168, 1, 23]);
        let cable = candidate("eth0", Kind::Ethernet, [10, 0, 0, 4]);
        let join = JoinAddress::new(8080, None, None, vec![wifi.clone(), cable.clone()]);
        assert_eq!(join.url(), "http://192.168.1.23:8080/");
        let first = frame_now(&join);
        assert_eq!(first["network"], "wlan0 · 192.168.1.23");
        assert_eq!(first["kind"], "wifi");
        assert_eq!(first["candidates"][1]["interface"], "eth0");
        assert!(first["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")));
        assert_eq!(first["moved"], serde_json::Value::Null);

        // A DHCP renewal hands the Wi-Fi another address: the QR code follows, and says so.
        let renewed = candidate("wlan0", Kind::Wifi, [192, 168, 1, 40]);
        join.refresh(vec![renewed.clone(), cable.clone()]);
        assert_eq!(join.url(), "http://192.168.1.40:8080/");
        let moved = frame_now(&join);
        assert_eq!(
            (moved["moved"]["from"].as_str(), moved["moved"]["to"].as_str()),
            (Some("192.168.1.23"), Some("192.168.1.40"))
        );

        // The presenter picks the cable; it holds while the cable is up, and comes back with it.
        join.choose("eth0").expect("eth0 is up");
        assert_eq!(join.url(), "http://10.0.0.4:8080/");
        assert_eq!(frame_now(&join)["moved"], serde_json::Value::Null);
        join.refresh(vec![renewed.clone()]);
        assert_eq!(join.url(), "http://192.168.1.40:8080/", "the cable pulled: back to the Wi-Fi");
        join.refresh(vec![renewed.clone(), cable.clone()]);
        assert_eq!(join.url(), "http://10.0.0.4:8080/", "the cable back: the presenter's choice again");
        assert_eq!(join.choose("usb0"), Err(NoSuchNetwork("usb0".into())));

        // Everything gone: this computer only, until a network comes.
        assert!(join.on_a_network());
        join.refresh(Vec::new());
        assert!(!join.on_a_network());
        assert_eq!(join.url(), "http://127.0.0.1:8080/");
        assert_eq!(frame_now(&join)["network"], "this computer only · 127.0.0.1");
    }

    #[test]
    fn a_bound_address_stays_whatever_the_interfaces_do() {
        let wifi = candidate("wlan0", Kind::Wifi, [192, 168, 1, 23]);
        let join = JoinAddress::new(9000, Some("10.9.9.9".parse().expect("ip")), None, vec![wifi]);
        join.refresh(vec![candidate("eth0", Kind::Ethernet, [10, 0, 0, 4])]);
        assert_eq!(join.url(), "http://10.9.9.9:9000/");
        assert_eq!(frame_now(&join)["fixed"], true);
    }
}
