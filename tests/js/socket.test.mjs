// static/streams/socket.js: the reconnect delays, the connection texts, and liveSocket
// itself against a fake WebSocket, fake timers and a fake window.
import assert from "node:assert/strict";
import { beforeEach, describe, test } from "node:test";

import { liveSocket, retryDelay, statusText } from "../../static/streams/socket.js";

describe("retryDelay", () => {
  test("doubles from half a second, with ±20 % jitter", () => {
    assert.equal(retryDelay(0, () => 0.5), 500);
    assert.equal(retryDelay(1, () => 0.5), 1000);
    assert.equal(retryDelay(4, () => 0.5), 8000);
    assert.equal(retryDelay(0, () => 0), 400);
    assert.ok(Math.abs(retryDelay(0, () => 0.999999) - 600) < 0.001);
  });

  test("never waits more than 15 s before jitter", () => {
    assert.equal(retryDelay(5, () => 0.5), 15000);
    assert.equal(retryDelay(50, () => 0.5), 15000);
    assert.equal(retryDelay(50, () => 0), 12000);
  });
});

describe("statusText", () => {
  test("what the indicator says for each state", () => {
    assert.deepEqual(statusText("connecting"), ["connecting", "Connecting…"]);
    assert.deepEqual(statusText("reconnecting", 1200), ["reconnecting", "Reconnecting in 2 s"]);
    assert.deepEqual(statusText("reconnecting", 400), ["reconnecting", "Reconnecting in 1 s"]);
    assert.deepEqual(statusText("refused"), ["offline", "Not available live"]);
    assert.deepEqual(statusText("live"), ["live", "live"]);
  });
});

// The browser as liveSocket sees it. Sockets close only when the test says the browser
// reports it (``closed(code)``), as real ones close asynchronously.
function fakeBrowser({ protocol = "http:" } = {}) {
  const sockets = [];
  const timers = new Map();
  const listeners = {};
  let timerIds = 0;
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.handlers = {};
      this.closeCalls = [];
      sockets.push(this);
    }
    addEventListener(type, handler) { (this.handlers[type] ||= []).push(handler); }
    close(...args) { this.closeCalls.push(args); }
    receive(data) { for (const h of this.handlers.message || []) h({ data }); }
    closed(code) { for (const h of this.handlers.close || []) h({ code }); }
  }
  const world = {
    WebSocket: FakeSocket,
    location: { protocol, host: "scores.example:8000" },
    window: {
      addEventListener(type, handler) { (listeners[type] ||= []).push(handler); },
    },
    setTimeout(callback, delay) { timerIds += 1; timers.set(timerIds, { callback, delay }); return timerIds; },
    clearTimeout(id) { timers.delete(id); },
    random: () => 0.5,
  };
  return {
    world,
    sockets,
    timers,
    get last() { return sockets.at(-1); },
    dispatch(type, event = {}) { for (const h of listeners[type] || []) h(event); },
    // Runs the one pending timer (a reconnect).
    fireTimer() {
      assert.equal(timers.size, 1, "one reconnect pending");
      const [[id, { callback }]] = timers;
      timers.delete(id);
      callback();
    },
  };
}

describe("liveSocket", () => {
  let browser;
  let messages;
  let statuses;
  let asked;
  const open = (world = browser.world) => liveSocket(() => {
    asked += 1;
    return `/ws/fixtures/f/?after=${asked}`;
  }, {
    onMessage: (m) => messages.push(m),
    onStatus: (...s) => statuses.push(s),
  }, world);

  beforeEach(() => {
    browser = fakeBrowser();
    messages = [];
    statuses = [];
    asked = 0;
  });

  test("connects at once to the page's host, ws or wss as the page", () => {
    open();
    assert.equal(browser.sockets.length, 1);
    assert.equal(browser.last.url, "ws://scores.example:8000/ws/fixtures/f/?after=1");
    assert.deepEqual(statuses, [["connecting"]]);
    const secure = fakeBrowser({ protocol: "https:" });
    open(secure.world);
    assert.equal(secure.last.url, "wss://scores.example:8000/ws/fixtures/f/?after=2");
  });

  test("passes on messages that are JSON and skips the rest", () => {
    open();
    browser.last.receive('{"type": "snapshot", "position": 3}');
    browser.last.receive("not json");
    browser.last.receive('{"type": "change", "position": 4}');
    assert.deepEqual(messages, [{ type: "snapshot", position: 3 }, { type: "change", position: 4 }]);
  });

  test("a lost connection comes back after a growing delay, asking for the path again", () => {
    open();
    browser.last.closed(1006);
    assert.deepEqual(statuses.at(-1), ["reconnecting", 500]);
    assert.equal([...browser.timers.values()][0].delay, 500);
    browser.fireTimer();
    assert.equal(browser.sockets.length, 2);
    assert.equal(browser.last.url, "ws://scores.example:8000/ws/fixtures/f/?after=2");
    assert.deepEqual(statuses.at(-1), ["connecting"]);
    browser.last.closed(1006);
    assert.deepEqual(statuses.at(-1), ["reconnecting", 1000]);
    browser.fireTimer();
    browser.last.closed(1006);
    assert.deepEqual(statuses.at(-1), ["reconnecting", 2000]);
  });

  test("a message received resets the delay", () => {
    open();
    browser.last.closed(1006);
    browser.fireTimer();
    browser.last.closed(1006);
    browser.fireTimer();
    browser.last.receive("{}");
    browser.last.closed(1006);
    assert.deepEqual(statuses.at(-1), ["reconnecting", 500]);
  });

  test("a refusal by the server is final", () => {
    for (const code of [4404, 4400]) {
      browser = fakeBrowser();
      statuses = [];
      open();
      browser.last.closed(code);
      assert.deepEqual(statuses.at(-1), ["refused"], String(code));
      assert.equal(browser.timers.size, 0);
    }
  });

  test("drop() gives up on the socket at once, as on a network failure, and comes back", () => {
    const live = open();
    const given_up = browser.last;
    live.drop();
    assert.deepEqual(given_up.closeCalls, [[4000, "dropped"]]);
    // Not waiting for its close event, which a silent peer may hold back for a minute.
    assert.deepEqual(statuses.at(-1), ["reconnecting", 500]);
    browser.fireTimer();
    assert.equal(browser.sockets.length, 2);
    // The old socket's late words and close change nothing.
    given_up.receive('{"type": "change", "position": 9}');
    given_up.closed(4000);
    assert.deepEqual(messages, []);
    assert.equal(browser.timers.size, 0);
    browser.last.receive('{"type": "snapshot", "position": 9}');
    assert.deepEqual(messages, [{ type: "snapshot", position: 9 }]);
  });

  test("stop() closes for good", () => {
    const live = open();
    live.stop();
    assert.deepEqual(browser.last.closeCalls, [[1000]]);
    browser.last.closed(1000);
    assert.equal(browser.timers.size, 0);
    assert.deepEqual(statuses, [["connecting"]]);
  });

  test("stop() while waiting to reconnect cancels the reconnect", () => {
    const live = open();
    browser.last.closed(1006);
    live.stop();
    assert.equal(browser.timers.size, 0);
    live.drop(); // nothing to drop
    assert.equal(browser.sockets.length, 1);
  });

  test("going online reconnects at once, not after the delay", () => {
    open();
    browser.last.closed(1006);
    browser.dispatch("online");
    assert.equal(browser.timers.size, 0);
    assert.equal(browser.sockets.length, 2);
    browser.dispatch("online"); // connected already: nothing to do
    assert.equal(browser.sockets.length, 2);
  });

  test("the close of a socket already replaced changes nothing", () => {
    open();
    const first = browser.last;
    first.closed(1006);
    browser.dispatch("online");
    first.closed(1006);
    assert.equal(browser.timers.size, 0);
    assert.deepEqual(statuses.at(-1), ["connecting"]);
  });

  test("leaving the page closes the socket; coming back from the cache reopens it", () => {
    open();
    browser.dispatch("pagehide");
    assert.deepEqual(browser.last.closeCalls, [[1000]]);
    browser.last.closed(1000);
    assert.equal(browser.timers.size, 0);
    browser.dispatch("pageshow", { persisted: false }); // a fresh load runs the page anew
    assert.equal(browser.sockets.length, 1);
    browser.dispatch("pageshow", { persisted: true });
    assert.equal(browser.sockets.length, 2);
    browser.last.closed(1006);
    assert.equal(browser.timers.size, 1);
  });
});
