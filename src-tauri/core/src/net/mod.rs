//! Which of the machine's addresses the phones should use, and the listening sockets.

mod interfaces;

use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpSocket};

pub use interfaces::{choose, list, rank, Candidate, Kind};

/// Deep enough that a room of phones connecting at once is not turned away
/// (tokio's default backlog is 1,024).
const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener with a deep backlog. `SO_REUSEADDR` lets a restarted
/// server take its port back at once instead of waiting out TIME_WAIT.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}
