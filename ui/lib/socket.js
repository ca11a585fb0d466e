// The presenter socket: reconnects with backoff and jitter, parses JSON frames, sends commands.

// Calls onOpen(), onMessage(frame) for every JSON object frame, and onClose() when a
// live or attempted connection ends; then tries again by itself.
export function openSocket(url, { onOpen = () => {}, onMessage = () => {}, onClose = () => {} } = {}) {
  let ws = null;
  let timer = 0;
  let tries = 0;

  const isUp = () => !!ws && ws.readyState === WebSocket.OPEN;

  function connect() {
    clearTimeout(timer);
    timer = 0;
    if (ws && ws.readyState <= WebSocket.OPEN) return;
    let socket;
    try {
      socket = new WebSocket(url);
    } catch (_) {
      retry();
      return;
    }
    ws = socket;
    socket.onopen = () => { if (ws === socket) onOpen(); };
    socket.onmessage = (event) => {
      if (ws !== socket) return;
      let frame;
      try { frame = JSON.parse(event.data); } catch (_) { return; }
      if (!frame || typeof frame !== 'object' || Array.isArray(frame)) return;
      // The server answered: the next outage starts from a short wait again.
      tries = 0;
      onMessage(frame);
    };
    socket.onclose = () => {
      if (ws !== socket) return;
      ws = null;
      onClose();
      retry();
    };
  }

  // Backoff with jitter: 0.5 s doubling to about 10 s, so a restarted server is not hit by every page at once.
  function retry() {
    if (timer) return;
    const base = Math.min(10000, 500 * 2 ** tries);
    tries = Math.min(tries + 1, 8);
    timer = setTimeout(connect, base / 2 + (Math.random() * base) / 2);
  }

  // Sends {type, ...extra}; false when the socket is not open (nothing is queued: the state would be stale).
  function send(type, extra) {
    if (!isUp()) return false;
    ws.send(JSON.stringify({ type, ...extra }));
    return true;
  }

  // Try now instead of waiting out the backoff (the page became visible again).
  function wake() {
    if (isUp()) return;
    tries = 0;
    connect();
  }

  connect();
  return { send, wake, isUp };
}
