// static/streams/running.js and commentary.js: the running score, and the routine play the
// commentary folds.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { foldCounts, foldText } from "../../static/streams/commentary.js";
import { runningScores } from "../../static/streams/running.js";

const timeline = (...actions) => ({
  order: actions.map((a) => a.action_id),
  actions: new Map(actions.map((a) => [a.action_id, a])),
});
const act = (action_id, kind, team_is_home = null, removed = false) => ({
  action_id, team_is_home, removed, row: { kind },
});

describe("runningScores", () => {
  test("each goal that stands shows the score it made; bands the score then", () => {
    const { order, actions } = timeline(
      act("kick-off", "start_period"),
      act("g1", "goal", true),
      act("ht", "end_period"),
      act("g2", "goal", false),
      act("disallowed", "goal", true, true),
      act("no-side", "goal", null),
      act("g3", "goal", true),
      act("corner", "corner", true),
      act("ft", "end_match"),
    );
    assert.deepEqual(Object.fromEntries(runningScores(order, actions)), {
      g1: "1–0", ht: "1–0", g2: "1–1", g3: "2–1", ft: "2–1",
    });
  });
});

describe("foldCounts", () => {
  const told = ["goal", "yellow_card", "start_period"];

  test("each told action counts the routine play after it, before the next told one", () => {
    const { order, actions } = timeline(
      act("before", "possession"), // nothing told yet: folded into nothing
      act("kick-off", "start_period"),
      act("p1", "possession"),
      act("p2", "throw_in"),
      act("goal", "goal", true),
      act("card", "yellow_card", false),
      act("p3", "dangerous_attack"),
    );
    assert.deepEqual(Object.fromEntries(foldCounts(order, actions, told)), {
      "kick-off": 2, goal: 0, card: 1,
    });
  });

  test("the count reads as words", () => {
    assert.equal(foldText(0), "");
    assert.equal(foldText(1), "1 routine action");
    assert.equal(foldText(12), "12 routine actions");
  });
});
