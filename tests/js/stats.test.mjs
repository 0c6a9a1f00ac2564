// static/streams/stats.js: counts and possession from the actions, with rules shaped as
// the page's "stats-rules" JSON (the momentum graph: momentum.test.mjs).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { computeStats, statsTable } from "../../static/streams/stats.js";

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
  momentum: {
    weights: { dangerous_attack: 1, shot_off_target: 2, corner: 2, shot_on_target: 3 },
    goal: "goal",
  },
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
