// static/streams/stats.js: counts, possession and momentum from the actions, with rules
// shaped as the page's "stats-rules" JSON.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { computeMomentum, computeStats, momentumColumns, statsTable } from "../../static/streams/stats.js";

// {**STATS_RULES, "clock": CLOCK_KINDS} (streams/meaning/drawing.py) through json_script:
// tuples arrive as arrays. Keep in step with it.
const RULES = {
  counts: [
    ["Shots on target", "shot_on_target"],
    ["Shots off target", "shot_off_target"],
    ["Corners", "corner"],
    ["Fouls", "foul"],
    ["Offsides", "offside"],
    ["Yellow cards", "yellow_card"],
    ["Red cards", "red_card"],
  ],
  possession: "possession",
  end_period: "end_period",
  momentum: "dangerous_attack",
  clock: { start: "start_clock", stop: "stop_clock", adjust: "adjust_clock" },
};

let next = 0;
// An action payload with its row, with what the counting reads.
function action(kind, side, clock_time, period = 1, extra = {}) {
  next += 1;
  return {
    action_id: `a${next}`, first_position: next, period, clock_time,
    team_is_home: side === "home" ? true : side === "away" ? false : null,
    removed: false, row: { kind }, ...extra,
  };
}
const byId = (...actions) => new Map(actions.map((a) => [a.action_id, a]));

describe("computeStats", () => {
  test("counts each side's actions by kind, not removed ones nor ones without a team", () => {
    const { counts } = computeStats(byId(
      action("corner", "home", "03:00"),
      action("corner", "home", "07:00"),
      action("corner", "away", "08:00"),
      action("foul", "away", "09:00"),
      action("foul", "away", "10:00", 1, { removed: true }),
      action("corner", null, "11:00"),
    ), 1, 700, RULES);
    assert.deepEqual(counts, { home: { corner: 2 }, away: { corner: 1, foul: 1 } });
  });

  test("possession is time on the ball, each gain until the next or the period's end", () => {
    const { possession } = computeStats(byId(
      action("possession", "home", "00:00"),
      action("possession", "away", "10:00"),
      action("possession", "home", "30:00"),
      action("end_period", null, "45:00"),
    ), 2, 2800, RULES);
    // home 10 + 15 minutes, away 20: 25 of 45.
    assert.equal(possession, Math.round((100 * 25) / 45));
  });

  test("the period being played ends at the running clock", () => {
    const actions = byId(
      action("possession", "home", "45:00", 2),
      action("possession", "away", "50:00", 2),
    );
    assert.equal(computeStats(actions, 2, 55 * 60, RULES).possession, 50);
    assert.equal(computeStats(actions, 2, 65 * 60, RULES).possession, 25);
  });

  test("the last gain of a period neither ended nor being played counts nothing", () => {
    const actions = byId(
      action("possession", "home", "40:00", 1),
      action("possession", "away", "42:00", 1),
    );
    assert.equal(computeStats(actions, 2, 3000, RULES).possession, 100);
  });

  test("gains are taken in clock order, then feed order", () => {
    const late = action("possession", "away", "20:00");
    const early = action("possession", "home", "00:00");
    const end = action("end_period", null, "40:00");
    assert.equal(computeStats(byId(late, early, end), 2, 0, RULES).possession, 50);
  });

  test("no possession: none to show", () => {
    assert.equal(computeStats(byId(action("corner", "home", "01:00")), 1, 60, RULES).possession, null);
    assert.equal(computeStats(new Map(), null, null, RULES).possession, null);
    const removed = action("possession", "home", "00:00", 1, { removed: true });
    assert.equal(computeStats(byId(removed), 1, 600, RULES).possession, null);
  });
});

describe("statsTable", () => {
  test("possession first, then every count of the rules, zero when none", () => {
    const stats = { counts: { home: { corner: 3 }, away: { corner: 1, foul: 2 } }, possession: 60 };
    const rows = statsTable(stats, RULES);
    assert.deepEqual(rows.map((r) => r.label), ["Possession", ...RULES.counts.map(([label]) => label)]);
    assert.deepEqual(rows[0], { label: "Possession", home: "60%", away: "40%", homeShare: 60 });
    assert.deepEqual(rows[3], { label: "Corners", home: 3, away: 1, homeShare: 75 });
    assert.deepEqual(rows[4], { label: "Fouls", home: 0, away: 2, homeShare: 0 });
    assert.deepEqual(rows[1], { label: "Shots on target", home: 0, away: 0, homeShare: 50 });
  });

  test("unknown possession is a dash, its bar halfway", () => {
    const [row] = statsTable({ counts: { home: {}, away: {} }, possession: null }, RULES);
    assert.deepEqual(row, { label: "Possession", home: "–", away: "–", homeShare: 50 });
  });
});

describe("computeMomentum", () => {
  const key = (b) => `${b.period}:${b.index}`;

  test("nine five-minute buckets per half, even before anything happened", () => {
    const buckets = computeMomentum(new Map(), RULES);
    assert.equal(buckets.length, 18);
    assert.deepEqual(buckets.slice(0, 2).map(key), ["1:0", "1:1"]);
    assert.deepEqual(buckets.slice(8, 10).map(key), ["1:8", "2:9"]);
    assert.ok(buckets.every((b) => b.home === 0 && b.away === 0));
  });

  test("dangerous attacks by side; stoppage time gets buckets of its own", () => {
    const buckets = computeMomentum(byId(
      action("dangerous_attack", "home", "12:34"),
      action("dangerous_attack", "home", "14:59"),
      action("dangerous_attack", "away", "10:00"),
      action("dangerous_attack", "away", "47:10", 1), // first-half stoppage
      action("dangerous_attack", "home", "92:00", 2), // second-half stoppage
    ), RULES);
    const found = Object.fromEntries(buckets.map((b) => [key(b), [b.home, b.away]]));
    assert.deepEqual(found["1:2"], [2, 1]);
    assert.deepEqual(found["1:9"], [0, 1]);
    assert.deepEqual(found["2:18"], [1, 0]);
    assert.equal(buckets.length, 20);
    assert.deepEqual(buckets.slice(8, 11).map(key), ["1:8", "1:9", "2:9"]);
    assert.equal(key(buckets.at(-1)), "2:18");
  });

  test("only dangerous attacks of a team, in a half, with a clock, not removed", () => {
    const buckets = computeMomentum(byId(
      action("corner", "home", "01:00"),
      action("dangerous_attack", null, "01:00"),
      action("dangerous_attack", "home", null),
      action("dangerous_attack", "home", "95:00", 3),
      action("dangerous_attack", "home", "01:00", 1, { removed: true }),
    ), RULES);
    assert.equal(buckets.length, 18);
    assert.ok(buckets.every((b) => b.home === 0 && b.away === 0));
  });
});

describe("momentumColumns", () => {
  test("bars against the busiest bucket, which fills half the strip", () => {
    const columns = momentumColumns([
      { period: 1, index: 0, home: 4, away: 1 },
      { period: 2, index: 9, home: 0, away: 2 },
    ]);
    assert.deepEqual(columns, [
      { period: 1, title: "0'–5': 4 v 1", home: "50%", away: "12.5%" },
      { period: 2, title: "45'–50': 0 v 2", home: "0%", away: "25%" },
    ]);
  });

  test("an empty strip is all zero", () => {
    const [column] = momentumColumns([{ period: 1, index: 3, home: 0, away: 0 }]);
    assert.deepEqual(column, { period: 1, title: "15'–20': 0 v 0", home: "0%", away: "0%" });
  });
});
