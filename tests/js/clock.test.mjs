// static/streams/clock.js: reading and writing "MM:SS", and the clock that runs between
// packets (on a fake monotonic clock, so that ticking is exact).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  MAX_CLOCK_GUESS_SECONDS, MatchClock, formatClock, parseClock, secondsBehind,
} from "../../static/streams/clock.js";

// CLOCK_KINDS in streams/meaning/drawing.py, as the page's "stats-rules" carries them.
const KINDS = { start: "start_clock", stop: "stop_clock", adjust: "adjust_clock" };

// A MatchClock on a clock the test moves: ``advance(seconds)``.
function clockAt(kinds = KINDS) {
  let ms = 1_000_000;
  const clock = new MatchClock(kinds, () => ms);
  return { clock, advance: (seconds) => { ms += seconds * 1000; } };
}

const running = (clock_time, extra = {}) => ({ clock_time, clock_state: "running", ...extra });
const stopped = (clock_time, extra = {}) => ({ clock_time, clock_state: "stopped", ...extra });
const action = (kind, clock_time, metadata = {}) => ({ row: { kind }, clock_time, metadata });

describe("parseClock", () => {
  test("reads minutes and seconds as seconds", () => {
    assert.equal(parseClock("00:00"), 0);
    assert.equal(parseClock("00:59"), 59);
    assert.equal(parseClock("45:00"), 2700);
    assert.equal(parseClock("9:05"), 545);
    assert.equal(parseClock("105:07"), 6307); // extra time runs past 99 minutes
  });

  test("anything else is no clock", () => {
    for (const text of [null, undefined, "", "45", "45:0", "45:000", " 45:00", "45:00 ", "1:02:03", "ab:cd", "-1:00"]) {
      assert.equal(parseClock(text), null, JSON.stringify(text));
    }
  });
});

describe("formatClock", () => {
  test("writes whole seconds as MM:SS", () => {
    assert.equal(formatClock(0), "00:00");
    assert.equal(formatClock(59.99), "00:59");
    assert.equal(formatClock(60), "01:00");
    assert.equal(formatClock(2700), "45:00");
    assert.equal(formatClock(6307), "105:07");
  });

  test("never shows a negative time", () => {
    assert.equal(formatClock(-5), "00:00");
  });

  test("round-trips with parseClock", () => {
    for (const seconds of [0, 1, 599, 2700, 5400, 7199]) assert.equal(parseClock(formatClock(seconds)), seconds);
  });
});

describe("MatchClock", () => {
  test("shows nothing before it has read a clock", () => {
    const { clock } = clockAt();
    assert.equal(clock.now(), null);
    assert.equal(clock.text(), "");
    clock.follow({ clock_time: null, clock_state: "running" }, null);
    assert.equal(clock.now(), null);
  });

  test("a running clock ticks with the time that passes", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("10:00"), null);
    assert.equal(clock.text(), "10:00");
    advance(1.5);
    assert.equal(clock.now(), 601.5);
    assert.equal(clock.text(), "10:01");
    advance(60);
    assert.equal(clock.text(), "11:01");
  });

  test("a stopped clock stays where it is", () => {
    const { clock, advance } = clockAt();
    clock.follow(stopped("45:00"), null);
    advance(90);
    assert.equal(clock.text(), "45:00");
  });

  test("a finished match's clock does not run, whatever its state says", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("94:12", { finished: true }), null);
    advance(30);
    assert.equal(clock.text(), "94:12");
    assert.equal(clock.running, false);
  });

  test("the same reading again does not restart the clock", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("20:00"), null);
    advance(10);
    clock.follow(running("20:00"), null); // a summary sent for another action, same clock
    assert.equal(clock.text(), "20:10");
  });

  test("a new reading replaces the guess", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("20:00"), null);
    advance(10);
    clock.follow(running("20:05"), null);
    assert.equal(clock.now(), 1205);
  });

  test("a summary without a clock state keeps the clock's", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("30:00"), null);
    clock.follow({ clock_time: "30:30" }, null);
    advance(2);
    assert.equal(clock.now(), 1832);
  });

  test("a summary without a clock time leaves the clock alone", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("30:00"), null);
    advance(5);
    clock.follow(stopped(null), null);
    assert.equal(clock.now(), 1805);
    assert.equal(clock.running, true);
  });

  test("behindSeconds: the reading is that old already", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("10:00"), null, 30);
    assert.equal(clock.now(), 630);
    advance(1);
    assert.equal(clock.now(), 631);
  });

  test("behindSeconds is capped: a quiet feed is stalled, not playing on", () => {
    const { clock } = clockAt();
    clock.follow(running("10:00"), null, 3600);
    assert.equal(clock.now(), 600 + MAX_CLOCK_GUESS_SECONDS);
    const other = clockAt().clock;
    other.follow(running("10:00"), null, -20); // a page rendered before the packet's time
    assert.equal(other.now(), 600);
  });

  test("behindSeconds does not move a stopped clock", () => {
    const { clock } = clockAt();
    clock.follow(stopped("45:00"), null, 120);
    assert.equal(clock.now(), 2700);
  });

  test("a start action starts the clock at its own time, before the summary says so", () => {
    const { clock, advance } = clockAt();
    clock.follow(stopped("00:00"), action("start_clock", "45:00"));
    assert.equal(clock.running, true);
    advance(3);
    assert.equal(clock.now(), 2703);
  });

  test("a stop action stops the clock at its own time", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("44:00"), null);
    clock.follow(running("44:58"), action("stop_clock", "45:00"));
    advance(60);
    assert.equal(clock.text(), "45:00");
    assert.equal(clock.running, false);
  });

  test("a start or stop action without a clock time takes the summary's", () => {
    const { clock } = clockAt();
    clock.follow(stopped("46:00"), action("start_clock", null));
    assert.equal(clock.now(), 2760);
    assert.equal(clock.running, true);
  });

  test("an adjustment with a clock time sets the clock to it and keeps it running", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("12:00"), null);
    clock.follow(stopped("12:00"), action("adjust_clock", "11:30"));
    assert.equal(clock.running, true);
    advance(1);
    assert.equal(clock.now(), 691);
  });

  test("an adjustment without a clock time applies adjustmentSeconds to the running clock", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("12:00"), null);
    advance(10);
    clock.follow(running(null), action("adjust_clock", null, { adjustmentSeconds: "-15" }));
    assert.equal(clock.now(), 730 - 15);
    assert.equal(clock.running, true);
  });

  test("an adjustment keeps a stopped clock stopped", () => {
    const { clock, advance } = clockAt();
    clock.follow(stopped("45:00"), null);
    clock.follow(running("45:00"), action("adjust_clock", "45:10"));
    advance(5);
    assert.equal(clock.now(), 2710);
    assert.equal(clock.running, false);
  });

  test("an adjustment before any reading takes the summary's clock and state", () => {
    const { clock } = clockAt();
    clock.follow(running("05:00"), action("adjust_clock", null, { adjustmentSeconds: 30 }));
    assert.equal(clock.now(), 300);
    assert.equal(clock.running, true);
  });

  test("without kinds (the fixture list), actions are only summaries", () => {
    let ms = 0;
    const clock = new MatchClock(undefined, () => ms);
    clock.follow(stopped("20:00"), action("start_clock", "21:00"));
    ms += 5000;
    assert.equal(clock.now(), 1200);
  });

  test("other actions leave the clock to the summary", () => {
    const { clock } = clockAt();
    clock.follow(stopped("33:00"), action("goal", "33:20"));
    assert.equal(clock.now(), 1980);
  });
});

describe("secondsBehind", () => {
  const rendered = "2025-01-01T15:30:00+00:00";

  test("how long before the page was rendered the newest packet was sent", () => {
    const actions = [
      { last_position: 4, timestamp: "2025-01-01T15:29:10+00:00" },
      { last_position: 9, timestamp: "2025-01-01T15:29:45+00:00" },
      { last_position: 7, timestamp: "2025-01-01T15:29:50+00:00" }, // newer clock, older packet
    ];
    assert.equal(secondsBehind(actions, rendered), 15);
  });

  test("no actions, or a newest one without a timestamp: none", () => {
    assert.equal(secondsBehind([], rendered), 0);
    assert.equal(secondsBehind([{ last_position: 1, timestamp: null }], rendered), 0);
  });
});

describe("MatchClock.hold", () => {
  test("a held clock does not run forward, and runs on from there when released", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("10:00"), null);
    advance(5);
    clock.hold(true);
    assert.equal(clock.text(), "10:05");
    advance(60);
    assert.equal(clock.text(), "10:05");
    clock.hold(false);
    advance(2);
    assert.equal(clock.text(), "10:07");
  });

  test("a packet while held sets the clock, which still does not run", () => {
    const { clock, advance } = clockAt();
    clock.follow(running("10:00"), null);
    clock.hold(true);
    clock.follow(running("12:00"), null);
    advance(30);
    assert.equal(clock.text(), "12:00");
    clock.hold(false);
    advance(1);
    assert.equal(clock.text(), "12:01");
  });
});
