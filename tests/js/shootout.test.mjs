// static/streams/shootout.js: the kicks of a shootout in order, and its grid.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { shootoutGrid, shootoutKicks } from "../../static/streams/shootout.js";

let next = 0;
// A kick as the page counts it: timeline order, side, and the row's kind and detail.
function kick(side, detail, extra = {}) {
  next += 1;
  return {
    action_id: `k${next}`, timeline_sequence: 3 + next / 1000, fixture_seq_num: next, first_position: next,
    period: 3, clock_time: "01:00", team_is_home: side === "home" ? true : side === "away" ? false : null,
    removed: false, row: { kind: "shootout_kick", detail }, ...extra,
  };
}
const byId = (...actions) => new Map(actions.map((a) => [a.action_id, a]));

describe("shootoutKicks", () => {
  test("the kicks not removed, with a team, in timeline order, whatever order they arrived in", () => {
    const first = kick("home", "scored");
    const second = kick("away", "missed");
    const third = kick("home", "");
    const kicks = shootoutKicks(byId(
      third, second,
      kick("away", "scored", { removed: true }),
      kick(null, "scored"),
      { ...kick("home", "scored"), row: { kind: "goal", detail: "" } },
      first,
    ));
    assert.deepEqual(kicks.map((k) => [k.action_id, k.side, k.outcome]), [
      [first.action_id, "home", "scored"], [second.action_id, "away", "missed"], [third.action_id, "home", ""],
    ]);
  });

  test("an outcome the panel does not know is drawn as not known", () => {
    const [only] = shootoutKicks(byId(kick("away", "<b>saved</b>")));
    assert.equal(only.outcome, "");
  });
});

describe("shootoutGrid", () => {
  test("five columns at least, each team's kicks in its own row", () => {
    const { rows, rounds } = shootoutGrid([
      { side: "home", outcome: "scored" }, { side: "away", outcome: "missed" }, { side: "home", outcome: "" },
    ]);
    assert.equal(rounds, 5);
    assert.deepEqual(rows, { home: ["scored", ""], away: ["missed"] });
  });

  test("sudden death adds a column a kick", () => {
    const kicks = [];
    for (let i = 0; i < 7; i += 1) kicks.push({ side: "home", outcome: "scored" }, { side: "away", outcome: i === 6 ? "missed" : "scored" });
    const { rows, rounds } = shootoutGrid(kicks);
    assert.equal(rounds, 7);
    assert.equal(rows.away.at(-1), "missed");
  });
});
