//! What both socket kinds share: limits, sending, and closing with a reason.

use std::future::Future;
use std::task::Poll;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade};

use crate::protocol::MAX_MESSAGE_BYTES;

/// A send that takes longer means the peer stopped reading.
pub const SEND_DEADLINE: Duration = Duration::from_secs(15);
/// How long to wait for the peer to answer our close frame.
const CLOSE_HANDSHAKE: Duration = Duration::from_secs(1);
/// How long an unreadable socket (one that sent an oversized frame, say) stays
/// open after our close frame: dropping it resets the connection, and a reset
/// that arrives before the peer has read the close frame discards it. A busy
/// peer can take more than a second to get to it.
const UNREADABLE_LINGER: Duration = Duration::from_secs(3);

pub mod close {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const INVALID_PAYLOAD: u16 = 1007;
    pub const POLICY: u16 = 1008;
    pub const TOO_BIG: u16 = 1009;
    /// The same participant connected again elsewhere; the page does not retry on its own.
    pub const REPLACED: u16 = 4001;
    /// The room is full and this socket's address holds the most: it gives its
    /// place to a phone from an address with fewer (the page reconnects later).
    pub const MAKING_ROOM: u16 = 1013;
}

/// The most a phone is sent in one frame: with the deck's caps on titles,
/// headings and options, a state frame stays far below it.
pub const MAX_PHONE_FRAME: usize = 256 * 1024;

/// Frames fed without a flush wait in the write buffer up to this size, so that
/// a state frame and the phone's own answer leave in one write. Every `send`
/// flushes, so a lone frame is never held back.
const WRITE_BATCH: usize = 16 * 1024;

/// Small buffers: thousands of idle phones must not cost 128 KiB each (the
/// write buffer only grows to what was queued, and is empty after a flush). The
/// write buffer's cap must hold the largest frame this socket is ever sent
/// (tungstenite refuses a bigger one, and the socket would drop in a loop).
pub fn limited(upgrade: WebSocketUpgrade, largest_frame: usize) -> WebSocketUpgrade {
    upgrade
        .read_buffer_size(1024)
        .write_buffer_size(WRITE_BATCH)
        .max_write_buffer_size(largest_frame.max(MAX_PHONE_FRAME) + 64 * 1024)
        .max_message_size(MAX_MESSAGE_BYTES)
        .max_frame_size(MAX_MESSAGE_BYTES)
}

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("websocket: {0}")]
    Socket(#[from] axum::Error),
    #[error("the peer stopped reading")]
    SendTimeout,
    #[error("closed by us: {0}")]
    Refused(&'static str),
}

pub async fn send(socket: &mut WebSocket, frame: Utf8Bytes) -> Result<(), SocketError> {
    within_deadline(socket.send(Message::Text(frame))).await
}

/// A write under [`SEND_DEADLINE`]. Most writes fit the socket's buffer and are done at
/// their first poll: those never make a timer, whose drop takes the runtime's timer lock
/// (ten thousand of them at every slide change, on the same two workers as the broadcast).
async fn within_deadline(write: impl Future<Output = Result<(), axum::Error>>) -> Result<(), SocketError> {
    let mut write = std::pin::pin!(write);
    let at_once = std::future::poll_fn(|cx| Poll::Ready(write.as_mut().poll(cx))).await;
    if let Poll::Ready(result) = at_once {
        return Ok(result?);
    }
    match tokio::time::timeout(SEND_DEADLINE, write).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(SocketError::SendTimeout),
    }
}

pub async fn send_text(socket: &mut WebSocket, frame: String) -> Result<(), SocketError> {
    send(socket, frame.into()).await
}

/// Queues a frame without writing it: the next `send` writes the queue in one
/// go. Ten thousand phones each sent two frames at a slide change then cost one
/// syscall, one TCP segment and one wake-up of the phone each, not two.
pub async fn feed(socket: &mut WebSocket, frame: Utf8Bytes) -> Result<(), SocketError> {
    use futures_util::SinkExt;
    within_deadline(socket.feed(Message::Text(frame))).await
}

/// A heartbeat: a ping, or the close of a socket silent for `silence_limit`. A phone
/// that vanished without a close (Wi-Fi dropped, battery died) is found here and its place freed.
pub async fn heartbeat(
    socket: &mut WebSocket,
    last_heard: tokio::time::Instant,
    silence_limit: Duration,
) -> Result<(), SocketError> {
    if last_heard.elapsed() >= silence_limit {
        close(socket, close::GOING_AWAY, "no heartbeat").await;
        return Err(SocketError::Refused("no heartbeat"));
    }
    ping(socket).await
}

pub async fn ping(socket: &mut WebSocket) -> Result<(), SocketError> {
    within_deadline(socket.send(Message::Ping(Default::default()))).await
}

/// Sends a close frame; the peer may already be gone, which is fine.
pub async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    if within_deadline(socket.send(Message::Close(Some(frame)))).await.is_err() {
        return;
    }
    // Finish the closing handshake: read what the peer already sent until its
    // close reply. Closing with unread data resets the connection, and a reset
    // can discard our close frame before the peer reads it. When the stream is
    // unreadable (after an oversized frame, say), linger instead, so the peer
    // has time to read the close code before the reset.
    let deadline = tokio::time::Instant::now() + CLOSE_HANDSHAKE;
    // After an oversized frame or invalid UTF-8 the rest of the peer's frame is
    // still unread, whatever the reads below return: always linger then.
    let mut unreadable = matches!(code, close::TOO_BIG | close::INVALID_PAYLOAD);
    while let Ok(Some(read)) = tokio::time::timeout_at(deadline, socket.recv()).await {
        match read {
            Ok(Message::Close(_)) => {
                unreadable = false;
                break;
            }
            Ok(_) => {}
            // Gone without answering (the tab closed, the Wi-Fi dropped): nobody is
            // left to read our close code, and lingering would only hold up a shutdown.
            Err(error) => {
                unreadable = !peer_gone(error);
                break;
            }
        }
    }
    if unreadable {
        tokio::time::sleep(UNREADABLE_LINGER).await;
    }
}

/// The peer sent its close frame: let our reply go out before the socket is dropped.
/// (The reply is queued by the read that saw the close and written by the next read.)
pub async fn answer_close(socket: &mut WebSocket) {
    let _ = tokio::time::timeout(CLOSE_HANDSHAKE, socket.recv()).await;
}

/// A read error that means the connection has ended, not that the peer sent something unreadable.
fn peer_gone(error: axum::Error) -> bool {
    use tungstenite::error::ProtocolError;
    matches!(
        error.into_inner().downcast::<tungstenite::Error>().map(|inner| *inner),
        Ok(tungstenite::Error::Io(_)
            | tungstenite::Error::ConnectionClosed
            | tungstenite::Error::AlreadyClosed
            | tungstenite::Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))
    )
}

/// Maps a read error to the close code the peer should see.
/// The message a read gave, or the socket's end, already handled: the peer's close
/// answered, an unreadable frame refused with its close code. On `Err` the socket
/// task returns what it holds.
pub async fn message_or_end(
    socket: &mut WebSocket,
    read: Option<Result<Message, axum::Error>>,
) -> Result<Message, Result<(), SocketError>> {
    match read {
        None => Err(Ok(())),
        Some(Ok(Message::Close(_))) => {
            answer_close(socket).await;
            Err(Ok(()))
        }
        Some(Err(error)) => {
            let (code, reason) = close_for_read_error(error);
            close(socket, code, reason).await;
            Err(Err(SocketError::Refused(reason)))
        }
        Some(Ok(message)) => Ok(message),
    }
}

pub fn close_for_read_error(error: axum::Error) -> (u16, &'static str) {
    match error.into_inner().downcast::<tungstenite::Error>().map(|inner| *inner) {
        Ok(tungstenite::Error::Capacity(_)) => (close::TOO_BIG, "message too big"),
        Ok(tungstenite::Error::Utf8(_)) => (close::INVALID_PAYLOAD, "invalid UTF-8"),
        _ => (close::POLICY, "protocol error"),
    }
}
