// The feed's state as the pages show it: from a fixture payload's ``feed`` (state,
// last_frame_at, stale_after_seconds; docs/live-protocol.md) and the time now. "Stale" is
// decided here too, so that a page whose socket is alive but silent turns to "delayed" by
// itself. The same rules as streams/meaning/freshness.py. No DOM (tests/js/freshness.test.mjs).

export const FOLLOWING = "following";

// Seconds as the notice says them: "40 s", "3 min", "2 h".
export function ageText(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 120) return `${whole} s`;
  if (whole < 7200) return `${Math.floor(whole / 60)} min`;
  return `${Math.floor(whole / 3600)} h`;
}

// Seconds since the feed's last frame at ``nowMs`` (server time), or null if it never spoke.
export function feedAge(feed, nowMs) {
  const at = feed && feed.last_frame_at ? Date.parse(feed.last_frame_at) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, (nowMs - at) / 1000);
}

// What a feed means at ``nowMs``: {state, live, text}. ``live``: the clock may run
// forward (following, or idle). ``text``: the notice to show, "" for none.
export function feedView(feed, nowMs) {
  if (!feed || !feed.state) return { state: "unknown", live: true, text: "" };
  let { state } = feed;
  const age = feedAge(feed, nowMs);
  if (state === FOLLOWING && age !== null && age > Number(feed.stale_after_seconds || Infinity)) {
    state = "stale";
  }
  const delayed = age === null ? "Feed delayed" : `Feed delayed — last update ${ageText(age)} ago`;
  const texts = {
    following: "",
    idle: "",
    finished: "",
    stale: delayed,
    reconnecting: delayed,
    token_rejected: "Token rejected — updates paused",
    stopped: "Updates stopped",
  };
  const text = state in texts ? texts[state] : "Updates stopped";
  // Idle: nobody has followed the fixture yet, so there is nothing to say about its feed
  // (the page shows what it was rendered with, as it did before feeds had a state).
  return { state, live: state === FOLLOWING || state === "idle", text };
}

// Milliseconds to add to the browser's Date.now() to get the server's time, from the
// time the server rendered the page at (``renderedAt``) and when the page read it: only a
// real difference of clocks counts, not the second or so a page takes to load.
export function serverSkewMs(renderedAt, browserNowMs) {
  const rendered = Date.parse(renderedAt || "");
  if (Number.isNaN(rendered)) return 0;
  const skew = rendered - browserNowMs;
  return Math.abs(skew) > 3000 ? skew : 0;
}

// A page's socket may die without a word (a frozen server, a phone whose network went):
// no close comes, and the feed the page shows turns stale by the page's own clock, since
// even the server's periodic "feed" messages stop. Then the page asks once, on a new
// socket, after a random part of ``spreadMs`` (so that the viewers of a silent server do
// not all come back in the same instant): the new socket's snapshot says whether the feed
// itself is stale (the page stays on it, and asks no more) or only the old socket was dead.
// It asks again only after the feed was seen fresh. ``drop()`` gives up on the socket.
export class SilenceCheck {
  constructor(drop, { spreadMs = 10000, timers = globalThis, random = Math.random } = {}) {
    this.drop = drop;
    this.spreadMs = spreadMs;
    this.timers = timers;
    this.random = random;
    this.timer = null;
    this.asked = false;
    this.drops = 0;
  }

  // With the feed as the page shows it now (feedView's answer).
  update(view) {
    if (view.state !== "stale") {
      this.timers.clearTimeout(this.timer);
      this.timer = null;
      this.asked = false;
      return;
    }
    if (this.asked) return;
    this.asked = true;
    this.timer = this.timers.setTimeout(() => {
      this.timer = null;
      this.drops += 1;
      this.drop();
    }, this.random() * this.spreadMs);
  }
}
