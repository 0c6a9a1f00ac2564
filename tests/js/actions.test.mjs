// static/streams/actions.js: an action's kind, side, and place in the timeline's order.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { compareActions, kindOf, placeInOrder, sideOf, unpackActions } from "../../static/streams/actions.js";

const action = (action_id, timeline_sequence, fixture_seq_num = null, first_position = 0) => ({
  action_id, timeline_sequence, fixture_seq_num, first_position,
});

describe("kindOf and sideOf", () => {
  test("the kind is the row's", () => {
    assert.equal(kindOf({ row: { kind: "goal" } }), "goal");
    assert.equal(kindOf({}), null);
    assert.equal(kindOf(null), null);
  });

  test("the side is the team's, or none", () => {
    assert.equal(sideOf({ team_is_home: true }), "home");
    assert.equal(sideOf({ team_is_home: false }), "away");
    assert.equal(sideOf({ team_is_home: null }), null);
    assert.equal(sideOf({}), null);
  });
});

describe("compareActions", () => {
  test("at the same moment, by timeline_sequence, then fixture_seq_num, then first_position", () => {
    assert.ok(compareActions(action("a", 1, 9, 9), action("b", 2, 1, 1)) < 0);
    assert.ok(compareActions(action("a", 2, 1, 9), action("b", 2, 3, 1)) < 0);
    assert.ok(compareActions(action("a", 2, 3, 5), action("b", 2, 3, 4)) > 0);
    assert.equal(compareActions(action("a", 2, 3, 4), action("b", 2, 3, 4)), 0);
  });

  const at = (action_id, period, clock_time, timeline_sequence) => ({
    action_id, period, clock_time, timeline_sequence, fixture_seq_num: timeline_sequence, first_position: 0,
  });

  test("by match time first: the period, then the clock, whatever the timeline sequence", () => {
    // A review logged after the next incident still sits at its minute.
    assert.ok(compareActions(at("red", 2, "53:07", 10), at("check-over", 2, "54:40", 9)) < 0);
    assert.ok(compareActions(at("second-half", 2, "45:00", 1), at("first-half", 1, "47:10", 2)) > 0);
    assert.ok(compareActions(at("set-up", 0, "00:00", 50), at("kick-off", 1, "00:00", 1)) < 0);
    // The clock is compared as a time: 99:59 comes before 105:00, and 09:00 before 10:00.
    assert.ok(compareActions(at("a", 3, "99:59", 2), at("b", 3, "105:00", 1)) < 0);
    assert.ok(compareActions(at("a", 1, "09:00", 2), at("b", 1, "10:00", 1)) < 0);
    // The same moment: the timeline sequence decides.
    assert.ok(compareActions(at("a", 1, "12:00", 2), at("b", 1, "12:00", 1)) > 0);
    // No period sorts last, as Postgres sorts NULLs; no clock first in its period.
    assert.ok(compareActions(at("a", null, "01:00", 1), at("b", 5, "00:00", 2)) > 0);
    assert.ok(compareActions(at("a", 1, null, 2), at("b", 1, "00:00", 1)) < 0);
  });

  test("a missing value sorts last, as Postgres sorts NULLs", () => {
    assert.ok(compareActions(action("a", null), action("b", 5)) > 0);
    assert.ok(compareActions(action("a", 5), action("b", undefined)) < 0);
    assert.ok(compareActions(action("a", null, 1), action("b", null, 2)) < 0);
  });
});

describe("placeInOrder", () => {
  function timeline(...actions) {
    return { order: actions.map((a) => a.action_id), actions: new Map(actions.map((a) => [a.action_id, a])) };
  }
  const put = ({ order, actions }, a) => {
    actions.set(a.action_id, a); // the page stores the new version first
    return placeInOrder(order, actions, a);
  };

  test("a new action goes to its place", () => {
    const t = timeline(action("a", 1), action("c", 3));
    assert.deepEqual(put(t, action("b", 2)), { from: -1, to: 1 });
    assert.deepEqual(t.order, ["a", "b", "c"]);
    assert.deepEqual(put(t, action("z", 0)), { from: -1, to: 0 });
    assert.deepEqual(put(t, action("d", null)), { from: -1, to: 4 });
    assert.deepEqual(t.order, ["z", "a", "b", "c", "d"]);
  });

  test("a new version that stays where it is reports so", () => {
    const t = timeline(action("a", 1), action("b", 2), action("c", 3));
    assert.deepEqual(put(t, action("b", 2)), { from: 1, to: 1 });
    assert.deepEqual(t.order, ["a", "b", "c"]);
  });

  test("a new version moves with its sequence", () => {
    const t = timeline(action("a", 1), action("b", 2), action("c", 3));
    assert.deepEqual(put(t, action("a", 4)), { from: 0, to: 2 });
    assert.deepEqual(t.order, ["b", "c", "a"]);
  });

  test("ties go after what is already there", () => {
    const t = timeline(action("a", 1, 1, 1), action("b", 2, 2, 2));
    assert.deepEqual(put(t, action("c", 1, 1, 1)), { from: -1, to: 1 });
    assert.deepEqual(t.order, ["a", "c", "b"]);
  });
});

describe("unpackActions", () => {
  test("makes the page's table (streams/meaning/page.py counted()) into actions again", () => {
    const table = {
      fields: ["action_id", "period", "clock_time", "kind", "detail", "metadata"],
      rows: [
        ["a", 1, "12:00", "goal", "", null],
        ["b", 2, "50:10", "adjust_clock", "", { adjustmentSeconds: 30 }],
        ["c", 3, "01:00", "shootout_kick", "missed", null],
      ],
    };
    assert.deepEqual(unpackActions(table), [
      { action_id: "a", period: 1, clock_time: "12:00", metadata: null, row: { kind: "goal", detail: "" } },
      { action_id: "b", period: 2, clock_time: "50:10", metadata: { adjustmentSeconds: 30 }, row: { kind: "adjust_clock", detail: "" } },
      { action_id: "c", period: 3, clock_time: "01:00", metadata: null, row: { kind: "shootout_kick", detail: "missed" } },
    ]);
    assert.equal(kindOf(unpackActions(table)[0]), "goal");
  });

  test("anything but a table is no actions", () => {
    for (const junk of [null, undefined, [], {}, { fields: [] }, { rows: [] }, "x"]) {
      assert.deepEqual(unpackActions(junk), []);
    }
  });
});
