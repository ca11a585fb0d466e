//! Protective limits: how many sockets, how fast, how quiet before a socket is presumed gone.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Every limit in one place, so tests and the command line can set them.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Participant sockets open at once, in total.
    pub max_sockets: usize,
    /// Participant sockets from one address. Guest Wi-Fi can put a whole room
    /// behind one address, so the default is generous.
    pub max_sockets_per_address: usize,
    /// A new socket must say hello within this.
    pub hello_deadline: Duration,
    /// An HTTP client must send its request headers within this.
    pub header_read_timeout: Duration,
    /// The server pings this often...
    pub ping_every: Duration,
    /// ...and closes a socket it has heard nothing from for this long.
    pub silence_limit: Duration,
    /// Frames a participant may send in a burst, and the refill per second.
    pub burst: u32,
    pub per_second: f64,
    /// New participant identities one address may create at once, then per minute.
    /// A room behind one address (guest Wi-Fi) joins within these; one laptop
    /// inventing thousands of respondents does not.
    pub join_burst: u32,
    pub joins_per_minute: f64,
    /// From this many participants on one address, the presenter view says so:
    /// a room behind one router, or one device posing as many.
    pub crowd_warning: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_sockets: 20_000,
            max_sockets_per_address: 10_000,
            hello_deadline: Duration::from_secs(10),
            header_read_timeout: Duration::from_secs(10),
            ping_every: Duration::from_secs(15),
            silence_limit: Duration::from_secs(45),
            burst: 20,
            per_second: 5.0,
            join_burst: 300,
            joins_per_minute: 120.0,
            crowd_warning: 25,
        }
    }
}

/// Counts open participant sockets, in total and by address, and keeps the room
/// fair when it is full: an address with few sockets still gets in, and the
/// address holding the most gives way.
#[derive(Clone, Default)]
pub struct SocketCounter {
    open: Arc<Mutex<Open>>,
}

#[derive(Default)]
struct Open {
    total: usize,
    /// Each address's sockets by the order they came, each with the token that evicts it.
    by_address: HashMap<IpAddr, BTreeMap<u64, CancellationToken>>,
    next: u64,
}

/// One counted socket; dropping it frees the place.
pub struct SocketSlot {
    counter: SocketCounter,
    address: IpAddr,
    id: u64,
    /// Cancelled when this socket must give its place to a phone from a smaller address.
    evicted: CancellationToken,
}

impl SocketSlot {
    /// Resolves when this socket is asked to make room (close it with [`super::socket::close::MAKING_ROOM`]).
    pub fn evicted(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.evicted.cancelled()
    }
}

impl SocketCounter {
    /// Takes a place for a socket from `address`, or says which limit is reached.
    ///
    /// When every place is taken, the newest socket of the address holding the
    /// most gives way, provided that address holds more than the newcomer's
    /// would after joining: one machine with many sockets cannot keep a phone
    /// from another address out, while a room behind one address is never
    /// evicted by itself.
    pub fn acquire(&self, address: IpAddr, limits: &Limits) -> Result<SocketSlot, &'static str> {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let here = open.by_address.get(&address).map_or(0, BTreeMap::len);
        if here >= limits.max_sockets_per_address {
            return Err("too many connections from this address");
        }
        if open.total >= limits.max_sockets {
            let heaviest = open.by_address.iter().map(|(ip, sockets)| (sockets.len(), *ip)).max();
            match heaviest {
                Some((most, victim)) if most > here + 1 => {
                    let sockets = open.by_address.get_mut(&victim).ok_or("the server is full")?;
                    if let Some((_, token)) = sockets.pop_last() {
                        token.cancel();
                        open.total -= 1;
                    }
                    if open.by_address.get(&victim).is_some_and(BTreeMap::is_empty) {
                        open.by_address.remove(&victim);
                    }
                }
                _ => return Err("the server is full"),
            }
        }
        let id = open.next;
        open.next += 1;
        let evicted = CancellationToken::new();
        open.by_address.entry(address).or_default().insert(id, evicted.clone());
        open.total += 1;
        Ok(SocketSlot { counter: self.clone(), address, id, evicted })
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut open = self.counter.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(sockets) = open.by_address.get_mut(&self.address) else { return };
        // An evicted socket's place was handed over when it was evicted.
        if sockets.remove(&self.id).is_some() {
            if sockets.is_empty() {
                open.by_address.remove(&self.address);
            }
            open.total = open.total.saturating_sub(1);
        }
    }
}

/// Participant identities this session knows, how fast each address may add
/// new ones, which address holds the most, and who answered for an address
/// where a question allows one participant per address.
#[derive(Clone)]
pub struct Identities {
    inner: Arc<Mutex<IdentitiesInner>>,
    /// Presenter sockets hold the receivers: the address with the most participants, once notable.
    crowd: watch::Sender<Option<Crowd>>,
}

#[derive(Default)]
struct IdentitiesInner {
    known: HashSet<Arc<str>>,
    joins: HashMap<IpAddr, RateLimit>,
    /// Every participant seen on each address since this server started.
    by_address: HashMap<IpAddr, HashSet<Arc<str>>>,
    /// The address holding the most of them (counts only grow, so this is kept as they do).
    largest: Option<Crowd>,
    /// (question, address) → the participant whose answer counts for that address.
    claims: HashMap<(Arc<str>, IpAddr), Arc<str>>,
    /// Claims whose holder has a stored answer: never released.
    answered: HashSet<(Arc<str>, IpAddr)>,
}

/// One address and how many participants came from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Crowd {
    pub address: IpAddr,
    pub participants: usize,
}

impl Identities {
    /// Starts from the participants the session already has: they come back freely.
    pub fn new(known: impl IntoIterator<Item = String>) -> Identities {
        let known = known.into_iter().map(Arc::from).collect();
        Identities {
            inner: Arc::new(Mutex::new(IdentitiesInner { known, ..IdentitiesInner::default() })),
            crowd: watch::Sender::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, IdentitiesInner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `participant` may join from `address`: a known one always, a new
    /// one while the address has joins left (a burst, then a rate).
    pub fn admit(&self, participant: &Arc<str>, address: IpAddr, limits: &Limits) -> bool {
        let mut inner = self.lock();
        if !inner.known.contains(participant) {
            let bucket = inner.joins.entry(address).or_insert_with(|| RateLimit {
                tokens: f64::from(limits.join_burst),
                capacity: f64::from(limits.join_burst),
                per_second: limits.joins_per_minute / 60.0,
                last: Instant::now(),
            });
            if !bucket.allow() {
                return false;
            }
            inner.known.insert(participant.clone());
        }
        let here = inner.by_address.entry(address).or_default();
        if here.insert(participant.clone()) {
            let participants = here.len();
            if inner.largest.is_none_or(|largest| participants > largest.participants) {
                let crowd = Crowd { address, participants };
                inner.largest = Some(crowd);
                if participants >= limits.crowd_warning {
                    self.crowd.send_replace(Some(crowd));
                }
            }
        }
        true
    }

    /// The address with the most participants, once it has at least
    /// [`Limits::crowd_warning`] of them (`None` until then).
    pub fn crowd(&self) -> watch::Receiver<Option<Crowd>> {
        self.crowd.subscribe()
    }

    /// For a question that allows one participant per address: whether
    /// `participant` may answer from `address`. The first to answer holds the
    /// address for that question; it may change its answer, others may not.
    pub fn claim(&self, question: &str, address: IpAddr, participant: &Arc<str>) -> bool {
        let mut inner = self.lock();
        let holder = inner.claims.entry((Arc::from(question), address)).or_insert_with(|| participant.clone());
        holder == participant
    }

    /// Gives the address back when `participant`'s vote was not stored, unless an
    /// earlier vote of theirs was (a stored answer keeps its claim).
    pub fn release(&self, question: &str, address: IpAddr, participant: &Arc<str>) {
        let mut inner = self.lock();
        let key = (Arc::from(question), address);
        if inner.claims.get(&key) == Some(participant) && !inner.answered.contains(&key) {
            inner.claims.remove(&key);
        }
    }

    /// Records that the holder of an address's claim has a stored answer.
    pub fn stored(&self, question: &str, address: IpAddr) {
        self.lock().answered.insert((Arc::from(question), address));
    }
}

/// A token bucket: a burst of `capacity`, refilled at `per_second`.
pub struct RateLimit {
    tokens: f64,
    capacity: f64,
    per_second: f64,
    last: Instant,
}

impl RateLimit {
    pub fn new(limits: &Limits) -> Self {
        let capacity = f64::from(limits.burst.max(1));
        RateLimit { tokens: capacity, capacity, per_second: limits.per_second, last: Instant::now() }
    }

    /// Takes one token; false when the bucket is empty.
    pub fn allow(&mut self) -> bool {
        let now = Instant::now();
        self.tokens = (self.tokens + (now - self.last).as_secs_f64() * self.per_second).min(self.capacity);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_sockets_in_total_and_per_address() {
        let limits = Limits { max_sockets: 3, max_sockets_per_address: 2, ..Limits::default() };
        let counter = SocketCounter::default();
        let a: IpAddr = "10.0.0.1".parse().expect("ip");
        let b: IpAddr = "10.0.0.2".parse().expect("ip");
        let a1 = counter.acquire(a, &limits).expect("a1");
        let _a2 = counter.acquire(a, &limits).expect("a2");
        assert!(counter.acquire(a, &limits).is_err(), "per-address cap");
        let _b1 = counter.acquire(b, &limits).expect("b1");
        assert!(counter.acquire(b, &limits).is_err(), "total cap, and b holds no fewer than a would give way for");
        drop(a1);
        assert!(counter.acquire(b, &limits).is_ok(), "a freed place is reused");
    }

    #[test]
    fn a_full_room_makes_way_for_an_address_with_few_sockets() {
        let limits = Limits { max_sockets: 4, max_sockets_per_address: 3, ..Limits::default() };
        let counter = SocketCounter::default();
        let (hog, other, newcomer): (IpAddr, IpAddr, IpAddr) =
            ("10.0.0.1".parse().expect("ip"), "10.0.0.2".parse().expect("ip"), "10.0.0.3".parse().expect("ip"));
        let hogs: Vec<SocketSlot> = (0..3).map(|_| counter.acquire(hog, &limits).expect("hog")).collect();
        let _other = counter.acquire(other, &limits).expect("other");
        let joined = counter.acquire(newcomer, &limits).expect("the newcomer gets in");
        assert!(hogs[2].evicted.is_cancelled(), "the newest socket of the biggest address gives way");
        assert!(!hogs[0].evicted.is_cancelled() && !hogs[1].evicted.is_cancelled());
        assert!(counter.acquire(hog, &limits).is_err(), "the biggest address does not evict others to grow");
        drop(hogs);
        drop(joined);
        let open = counter.open.lock().expect("lock");
        assert_eq!(open.total, 1, "evicted places are not freed twice");
    }

    #[tokio::test(start_paused = true)]
    async fn one_address_creates_new_identities_in_a_burst_then_at_a_rate() {
        let limits = Limits { join_burst: 3, joins_per_minute: 60.0, ..Limits::default() };
        let identities = Identities::new(["known-phone".to_string()]);
        let (laptop, other): (IpAddr, IpAddr) = ("10.0.0.9".parse().expect("ip"), "10.0.0.8".parse().expect("ip"));
        let id = |n: u32| Arc::<str>::from(format!("fresh-{n}"));
        assert!((0..3).all(|n| identities.admit(&id(n), laptop, &limits)));
        assert!(!identities.admit(&id(3), laptop, &limits), "past the burst");
        assert!(identities.admit(&id(0), laptop, &limits), "an identity already admitted comes back");
        assert!(identities.admit(&"known-phone".into(), laptop, &limits), "the session's own participants too");
        assert!(identities.admit(&id(4), other, &limits), "another address has its own bucket");
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(identities.admit(&id(5), laptop, &limits), "one more a second");
        assert!(!identities.admit(&id(6), laptop, &limits));
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_allows_a_burst_then_the_rate() {
        let mut bucket = RateLimit::new(&Limits { burst: 3, per_second: 2.0, ..Limits::default() });
        assert!((0..3).all(|_| bucket.allow()));
        assert!(!bucket.allow());
        tokio::time::advance(Duration::from_millis(500)).await;
        assert!(bucket.allow());
        assert!(!bucket.allow());
    }
}
