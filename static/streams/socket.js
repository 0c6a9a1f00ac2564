// A websocket that reconnects by itself, and the connection indicator both pages show.
// Nothing here runs on import; liveSocket takes the browser's globals from ``world``, so
// tests/js/socket.test.mjs can run it in Node against a fake socket and fake timers.

// Close codes by which the server refuses a fixture (streams/consumers.py): not retried.
export const REFUSED_CODES = [4404, 4400];

// Milliseconds before reconnect attempt ``attempts`` (0 after a message arrived): doubling
// from half a second up to 15 s, with ±20 % jitter so that a restarted server is not hit
// by every viewer at once. ``random``: a number in [0, 1).
export function retryDelay(attempts, random = Math.random) {
  return Math.min(15000, 500 * 2 ** attempts) * (0.8 + random() * 0.4);
}

// [data-connection state, text] for a state liveSocket reports.
export function statusText(state, delay) {
  if (state === "connecting") return ["connecting", "Connecting…"];
  if (state === "reconnecting") return ["reconnecting", `Reconnecting in ${Math.ceil(delay / 1000)} s`];
  if (state === "refused") return ["offline", "Not available live"];
  return [state, state];
}

export function setConnection(element, state, text) {
  if (!element) return;
  element.hidden = false; // hidden until JavaScript runs: without it nothing is live
  element.dataset.connection = state;
  element.querySelector(".text").textContent = text;
}

const browser = () => ({
  WebSocket, window, location, setTimeout, clearTimeout, random: Math.random,
});

// ``path()``: the path to connect to, asked again on every attempt (it carries ?after=).
// ``onMessage``: every message that is JSON, parsed. ``onStatus(state, delay)``:
// "connecting", "reconnecting" (in ``delay`` ms) or "refused".
export function liveSocket(path, { onMessage, onStatus }, world = browser()) {
  const { WebSocket, window, location, setTimeout, clearTimeout, random } = world;
  let socket = null;
  let attempts = 0;
  let timer = null;
  let stopped = false;
  const url = () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path()}`;

  function open() {
    timer = null;
    onStatus("connecting");
    const ws = new WebSocket(url());
    socket = ws;
    ws.addEventListener("message", (event) => {
      if (socket !== ws) return; // one given up on (drop): what it still says is not shown
      attempts = 0;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(message);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      if (REFUSED_CODES.includes(event.code)) {
        onStatus("refused");
        return;
      }
      retry();
    });
  }

  function retry() {
    const delay = retryDelay(attempts, random);
    attempts += 1;
    onStatus("reconnecting", delay);
    timer = setTimeout(open, delay);
  }

  const reopenNow = () => {
    if (stopped || socket) return;
    clearTimeout(timer);
    open();
  };
  window.addEventListener("online", reopenNow);
  window.addEventListener("pagehide", () => { stopped = true; clearTimeout(timer); if (socket) socket.close(1000); });
  window.addEventListener("pageshow", (event) => { if (event.persisted) { stopped = false; reopenNow(); } });
  open();
  return {
    // Gives up on the connection as on a network failure, and connects again after the
    // usual delay. At once, not at its close event: a socket whose peer went silent (a
    // frozen server, a phone's network gone) may take a minute to report its close.
    drop() {
      if (!socket) return;
      const ws = socket;
      socket = null;
      ws.close(4000, "dropped");
      if (!stopped) retry();
    },
    stop() { stopped = true; clearTimeout(timer); if (socket) socket.close(1000); },
  };
}
