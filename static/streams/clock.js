// The match clock: runs in the browser between packets. No DOM (tests/js/clock.test.mjs).

import { kindOf } from "./actions.js";

// Whatever the page says, a running clock is not guessed further than this past its last
// packet: a feed that went quiet for longer is stalled, not playing on.
export const MAX_CLOCK_GUESS_SECONDS = 300;

export function parseClock(text) {
  const match = /^(\d+):(\d{2})$/.exec(text || "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

export function formatClock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

// On load the clock read fixture.clock_time when the newest packet was sent: how many
// seconds before ``renderedAt`` (the page's data-rendered-at) that was.
export function secondsBehind(actions, renderedAt) {
  let newest = null;
  for (const action of actions) {
    if (!newest || action.last_position > newest.last_position) newest = action;
  }
  const rendered = Date.parse(renderedAt);
  const sent = newest && newest.timestamp ? Date.parse(newest.timestamp) : rendered;
  return (rendered - sent) / 1000;
}

export class MatchClock {
  // ``kinds``: {start, stop, adjust}, the kind names of the actions that start, stop and
  // correct the clock (CLOCK_KINDS in streams/meaning/drawing.py, in "stats-rules").
  // ``ms``: a monotonic clock in milliseconds; the page's is performance.now().
  constructor(kinds = {}, ms = () => performance.now()) {
    this.kinds = kinds;
    this.ms = ms;
    this.base = null;
    this.running = false;
    this.held = false; // the feed is not live: the clock does not run forward
    this.at = ms();
  }

  // While held (the feed is delayed, stopped...), the clock shows where it was and does
  // not run on; released, it runs on from there until a packet says otherwise.
  hold(on) {
    if (on === this.held) return;
    if (on && this.base !== null) this.base = this.now();
    this.held = on;
    this.at = this.ms();
  }

  // ``behindSeconds``: how long before now the clock read ``seconds``.
  set(seconds, running, behindSeconds = 0) {
    if (seconds === this.base && running === this.running) return;
    this.base = seconds;
    this.running = running;
    this.at = this.ms() - Math.min(Math.max(behindSeconds, 0), MAX_CLOCK_GUESS_SECONDS) * 1000;
  }

  // Clock actions decide when they arrive: a summary may leave the clock out, and the
  // fixture then still says what it said before them. Otherwise the summary says.
  follow(fixture, action, behindSeconds = 0) {
    const kind = kindOf(action);
    const actionClock = action ? parseClock(action.clock_time) : null;
    let seconds = parseClock(fixture.clock_time);
    let running = fixture.clock_state ? fixture.clock_state === "running" : this.running;
    if (kind && (kind === this.kinds.start || kind === this.kinds.stop)) {
      running = kind === this.kinds.start;
      if (actionClock !== null) seconds = actionClock;
    } else if (kind && kind === this.kinds.adjust) {
      // The action's clock time is the corrected one; without it, apply the correction.
      // A correction neither starts nor stops the clock.
      const by = Number((action.metadata || {}).adjustmentSeconds) || 0;
      seconds = actionClock !== null ? actionClock : this.base === null ? seconds : this.now() + by;
      if (this.base !== null) running = this.running;
    }
    if (seconds === null) return;
    this.set(seconds, running && !fixture.finished, behindSeconds);
  }

  now() {
    if (this.base === null) return null;
    return this.base + (this.running && !this.held ? (this.ms() - this.at) / 1000 : 0);
  }

  text() {
    const now = this.now();
    return now === null ? "" : formatClock(now);
  }
}
