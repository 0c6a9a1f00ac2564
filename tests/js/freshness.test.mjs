// static/streams/freshness.js: the feed's state as the pages say it, "stale" decided by
// the page itself from the last frame time it holds.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  SilenceCheck, ageText, feedAge, feedView, serverSkewMs,
} from "../../static/streams/freshness.js";

const AT = Date.parse("2026-05-01T15:00:00Z");
const feed = (state, extra = {}) => ({
  state, last_frame_at: "2026-05-01T15:00:00+00:00", stale_after_seconds: 20, ...extra,
});

describe("feedView", () => {
  test("a followed feed with recent frames is live and says nothing", () => {
    assert.deepEqual(feedView(feed("following"), AT + 5000), { state: "following", live: true, text: "" });
  });

  test("a followed feed silent for longer than it may be turns delayed by itself", () => {
    assert.equal(feedView(feed("following"), AT + 20_000).live, true);
    const view = feedView(feed("following"), AT + 40_000);
    assert.equal(view.state, "stale");
    assert.equal(view.live, false);
    assert.equal(view.text, "Feed delayed — last update 40 s ago");
  });

  test("the server's stale and a reconnecting listener are delayed too", () => {
    assert.equal(feedView(feed("stale"), AT + 25_000).text, "Feed delayed — last update 25 s ago");
    assert.equal(feedView(feed("reconnecting"), AT + 3000).text, "Feed delayed — last update 3 s ago");
    assert.equal(feedView(feed("reconnecting", { last_frame_at: null }), AT).text, "Feed delayed");
  });

  test("stopped, token rejected, finished and idle", () => {
    assert.deepEqual(feedView(feed("stopped"), AT), { state: "stopped", live: false, text: "Updates stopped" });
    assert.equal(feedView(feed("token_rejected"), AT).text, "Token rejected — updates paused");
    assert.equal(feedView(feed("finished"), AT).text, "");
    assert.equal(feedView(feed("finished"), AT).live, false);
    assert.deepEqual(feedView(feed("idle", { last_frame_at: null }), AT), { state: "idle", live: true, text: "" });
  });

  test("an unknown state stops, a payload without feed is left alone", () => {
    assert.equal(feedView(feed("something new"), AT).text, "Updates stopped");
    assert.deepEqual(feedView(undefined, AT), { state: "unknown", live: true, text: "" });
  });
});

describe("ageText and feedAge", () => {
  test("seconds, then minutes, then hours", () => {
    assert.equal(ageText(40.7), "40 s");
    assert.equal(ageText(119), "119 s");
    assert.equal(ageText(180), "3 min");
    assert.equal(ageText(7300), "2 h");
    assert.equal(ageText(-3), "0 s");
  });

  test("no last frame is no age", () => {
    assert.equal(feedAge(feed("following", { last_frame_at: null }), AT), null);
    assert.equal(feedAge(feed("following"), AT + 1500), 1.5);
  });
});

describe("serverSkewMs", () => {
  test("only a real difference of clocks counts", () => {
    assert.equal(serverSkewMs("2026-05-01T15:00:00Z", AT + 800), 0);
    assert.equal(serverSkewMs("2026-05-01T15:00:00Z", AT - 60_000), 60_000);
    assert.equal(serverSkewMs("", AT), 0);
  });
});

describe("messageStep for what takes no position", () => {
  test("a feed message and a reset are their own steps, wherever the page is", async () => {
    const { messageStep } = await import("../../static/streams/centre.js");
    assert.equal(messageStep({ type: "feed", feed: feed("stopped") }, 10), "feed");
    assert.equal(messageStep({ type: "reset", fixture_id: "x" }, 10), "reset");
    assert.equal(messageStep({ type: "reset" }, -1), "reset");
  });
});

describe("SilenceCheck", () => {
  function check() {
    const timers = new Map();
    let ids = 0;
    const fake = {
      setTimeout(callback, delay) { ids += 1; timers.set(ids, { callback, delay }); return ids; },
      clearTimeout(id) { timers.delete(id); },
    };
    const dropped = [];
    const silence = new SilenceCheck(() => dropped.push(true), { spreadMs: 10000, timers: fake, random: () => 0.25 });
    const fire = () => { const [[id, { callback }]] = timers; timers.delete(id); callback(); };
    return { silence, timers, dropped, fire };
  }
  const stale = { state: "stale" };
  const following = { state: "following" };

  test("a feed gone stale by the page's clock drops the socket once, after a spread delay", () => {
    const { silence, timers, dropped, fire } = check();
    silence.update(following);
    assert.equal(timers.size, 0);
    silence.update(stale);
    silence.update(stale); // every tick: still the one timer
    assert.deepEqual([...timers.values()].map((t) => t.delay), [2500]);
    fire();
    assert.equal(dropped.length, 1);
    // The new socket's snapshot says the feed is stale indeed: no more asking.
    silence.update(stale);
    assert.equal(timers.size, 0);
    assert.equal(silence.drops, 1);
  });

  test("fresh again before the delay: nothing is dropped; stale later: asked again", () => {
    const { silence, timers, dropped, fire } = check();
    silence.update(stale);
    silence.update(following);
    assert.equal(timers.size, 0);
    assert.equal(dropped.length, 0);
    silence.update(stale);
    fire();
    silence.update(following); // the new socket was live: the old one was the silent one
    silence.update(stale);
    fire();
    assert.equal(dropped.length, 2);
  });

  test("only stale counts: a feed reconnecting or stopped is what the server said", () => {
    const { silence, timers } = check();
    for (const state of ["reconnecting", "stopped", "token_rejected", "idle", "finished", "unknown"]) {
      silence.update({ state });
    }
    assert.equal(timers.size, 0);
  });
});
