// static/streams/momentum.js: pressure per minute from the actions, with rules shaped as
// the page's "stats-rules" JSON, and the graph's summary in words.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { computeMomentum, fanMinute, minuteOf, momentumSummary, smoothed, weightsText } from "../../static/streams/momentum.js";

// STATS_RULES["momentum"] (streams/meaning/drawing.py) through json_script. Keep in step.
const RULES = {
  momentum: {
    weights: { dangerous_attack: 1, shot_off_target: 2, corner: 2, shot_on_target: 3 },
    goal: "goal",
  },
};
const TEAMS = { home: "Harbour Town", away: "Elmstead FC" };

let next = 0;
function action(kind, side, clock_time, period = 1, extra = {}) {
  next += 1;
  return {
    action_id: `a${next}`, first_position: next, period, clock_time,
    team_is_home: side === "home" ? true : side === "away" ? false : null,
    removed: false, row: { kind }, ...extra,
  };
}
const byId = (...actions) => new Map(actions.map((a) => [a.action_id, a]));
const at = (columns, label) => columns.find((c) => c.label === label);

describe("computeMomentum", () => {
  test("both halves' 90 minutes, even before anything happened", () => {
    const { columns, goals } = computeMomentum(new Map(), RULES);
    assert.equal(columns.length, 90);
    assert.deepEqual(columns.slice(44, 46).map((c) => [c.period, c.minute, c.label]), [[1, 44, "45'"], [2, 45, "46'"]]);
    assert.ok(columns.every((c) => c.home === 0 && c.away === 0 && !c.stoppage));
    assert.deepEqual(goals, []);
  });

  test("each kind adds its weight to its side's minute", () => {
    const { columns } = computeMomentum(byId(
      action("dangerous_attack", "home", "12:00"),
      action("shot_on_target", "home", "12:34"),
      action("corner", "home", "12:59"),
      action("shot_off_target", "away", "12:10"),
      action("dangerous_attack", "away", "50:00", 2),
    ), RULES);
    assert.deepEqual([at(columns, "13'").home, at(columns, "13'").away], [6, 2]);
    assert.equal(at(columns, "51'").away, 1);
    assert.equal(columns.reduce((sum, c) => sum + c.home + c.away, 0), 9);
  });

  test("removed actions, other kinds, actions without a team or a clock count nothing", () => {
    const { columns, goals } = computeMomentum(byId(
      action("shot_on_target", "home", "01:00", 1, { removed: true }),
      action("goal", "home", "01:00", 1, { removed: true }),
      action("foul", "home", "01:00"),
      action("dangerous_attack", null, "01:00"),
      action("dangerous_attack", "home", null),
      action("dangerous_attack", "home", "00:30", 0),
    ), RULES);
    assert.ok(columns.every((c) => c.home === 0 && c.away === 0));
    assert.deepEqual(goals, []);
  });

  test("stoppage time is shown beyond its period's last minute, as far as play went", () => {
    const { columns } = computeMomentum(byId(
      action("corner", "away", "47:10", 1), // 45+3'
      action("dangerous_attack", "home", "93:05", 2), // 90+4'
    ), RULES);
    assert.equal(columns.length, 90 + 3 + 4);
    const first = columns.filter((c) => c.period === 1);
    assert.deepEqual(first.slice(-4).map((c) => [c.label, c.stoppage]), [["45'", false], ["45+1'", true], ["45+2'", true], ["45+3'", true]]);
    assert.equal(at(columns, "45+3'").away, 2);
    assert.equal(columns.at(-1).label, "90+4'");
    assert.equal(columns.at(-1).home, 1);
    assert.equal(columns[columns.indexOf(at(columns, "45+3'")) + 1].label, "46'"); // then the 2nd half
  });

  test("extra time has columns once played; a shootout has none", () => {
    const { columns } = computeMomentum(byId(
      action("dangerous_attack", "home", "96:00", 3),
      action("shot_on_target", "away", "00:56", 3), // the shootout's clock starts from zero
      action("shot_on_target", "away", "02:00", 5),
    ), RULES);
    assert.equal(columns.length, 105);
    assert.equal(at(columns, "97'").home, 1);
    assert.ok(columns.every((c) => c.away === 0));
    assert.equal(minuteOf({ period: 3, clock_time: "00:56" }), null);
    assert.deepEqual(minuteOf({ period: 4, clock_time: "110:00" }), [4, 110]);
  });

  test("goals are marked at their minute on the scoring side, in match order", () => {
    const { columns, goals } = computeMomentum(byId(
      action("goal", "away", "70:30", 2),
      action("goal", "home", "22:10"),
      action("goal", "home", "46:00", 1), // 45+2'
      action("goal", "home", "05:00", 3), // a shootout: no minute
    ), RULES);
    assert.deepEqual(goals.map((g) => [g.label, g.side]), [["23'", "home"], ["45+2'", "home"], ["71'", "away"]]);
    assert.equal(columns[goals[2].column].label, "71'");
    assert.ok(columns.every((c) => c.home === 0 && c.away === 0)); // a goal adds no pressure
  });
});

describe("smoothed", () => {
  test("half the minute and a quarter of each neighbour, not across half-time", () => {
    const { columns } = computeMomentum(byId(
      action("shot_on_target", "home", "10:00"),
      action("corner", "home", "44:00"),
    ), RULES);
    const heights = smoothed(columns, "home");
    assert.deepEqual(heights.slice(9, 12), [0.75, 1.5, 0.75]);
    // At the period's edge the two that are there are shared two thirds to one third.
    assert.deepEqual(heights.slice(43, 46).map((h) => Math.round(h * 100) / 100), [0.5, 1.33, 0]);
  });
});

describe("momentumSummary", () => {
  test("the 15 minutes each side pressed most in, and the goals", () => {
    const momentum = computeMomentum(byId(
      action("shot_on_target", "home", "61:00", 2),
      action("shot_on_target", "home", "74:59", 2),
      action("dangerous_attack", "home", "05:00"),
      action("corner", "away", "16:00"),
      action("goal", "home", "22:10"),
      action("goal", "away", "70:30", 2),
    ), RULES);
    assert.equal(
      momentumSummary(momentum, TEAMS),
      "Harbour Town pressed most from 60' to 75', Elmstead FC from 15' to 30'; goals at 23' (Harbour Town), 71' (Elmstead FC).",
    );
  });

  test("stoppage time belongs to the period's last fifteen minutes", () => {
    const momentum = computeMomentum(byId(action("corner", "away", "48:00", 1)), RULES);
    assert.equal(momentumSummary(momentum, TEAMS), "Elmstead FC pressed most from 30' to 45'; no goals.");
  });

  test("nothing yet says so", () => {
    assert.equal(momentumSummary(computeMomentum(new Map(), RULES), TEAMS), "No pressure recorded yet; no goals.");
  });
});

test("minutes as fans write them, and the weights in words", () => {
  assert.deepEqual([fanMinute(1, 0), fanMinute(1, 44), fanMinute(1, 45), fanMinute(2, 93)], ["1'", "45'", "45+1'", "90+4'"]);
  assert.equal(weightsText(RULES.momentum.weights), "dangerous attack 1, shot off target 2, corner 2, shot on target 3");
});
