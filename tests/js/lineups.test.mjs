// static/streams/lineups.js: which lineup and conditions are shown, formations, the marks
// on players, and the fan minute twin of streams/meaning/minutes.py.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { chooseLineups, fanMinute, formation, marksOf, playerMarkers, shortName } from "../../static/streams/lineups.js";

// The cases of tests/streams/test_minutes.py: keep the two in step.
describe("fanMinute", () => {
  test("reads minutes as fans write them, as minutes.py does", () => {
    const cases = [
      [1, "00:00", "1'"], [1, "16:05", "17'"], [1, "44:59", "45'"], [1, "45:00", "45+1'"],
      [1, "46:30", "45+2'"], [2, "45:00", "46'"], [2, "89:59", "90'"], [2, "93:10", "90+4'"],
      [3, "90:00", "91'"], [3, "105:20", "105+1'"], [4, "105:00", "106'"], [4, "121:40", "120+2'"],
    ];
    for (const [period, clock, minute] of cases) assert.equal(fanMinute(period, clock), minute, `${period} ${clock}`);
  });

  test("gives no minute before kick-off, in a shootout or for a clock it cannot read", () => {
    const cases = [[0, "00:00"], [null, "12:00"], [1, ""], [1, null], [1, "12"], [1, "1:2:3"], [3, "02:10"], [5, "03:00"]];
    for (const [period, clock] of cases) assert.equal(fanMinute(period, clock), "", `${period} ${clock}`);
  });
});

const player = (id, name, line, starter = true, number = "1") => ({ id, name, number, position: line, line, starter });
const eleven = (prefix, shape = [4, 4, 2]) => [
  player(`${prefix}-gk`, "Gus Keeper", "goalkeeper"),
  ...shape.flatMap((count, i) => Array.from({ length: count }, (_, n) =>
    player(`${prefix}-${i}-${n}`, `Player ${i}${n}`, ["defence", "midfield", "attack"][i]))),
];

describe("formation", () => {
  test("puts starters in lines, goalkeeper first, when every position gives one", () => {
    const lineup = { players: [...eleven("h"), player("h-sub", "Sam Sub", "attack", false)] };
    const shown = formation(lineup);
    assert.equal(shown.shape, "4-4-2");
    assert.deepEqual(shown.lines.map((l) => [l.line, l.players.length]),
      [["goalkeeper", 1], ["defence", 4], ["midfield", 4], ["attack", 2]]);
    assert.deepEqual(shown.bench.map((p) => p.id), ["h-sub"]);
    assert.equal(formation({ players: eleven("h", [3, 5, 2]) }).shape, "3-5-2");
    assert.equal(formation({ players: eleven("h", [4, 0, 3]) }).shape, "4-3");
  });

  test("lists the starters when a position gives no line, or there are more than eleven", () => {
    const unknown = eleven("h");
    unknown[3] = { ...unknown[3], position: "Captain", line: "" };
    const shown = formation({ players: unknown });
    assert.equal(shown.lines, null);
    assert.equal(shown.shape, "");
    assert.equal(shown.starters.length, 11);
    assert.equal(formation({ players: [...eleven("h"), player("x", "Extra", "attack")] }).lines, null);
  });

  test("shows one squad when nobody's start is known", () => {
    const players = [{ ...player("a", "A", "attack"), starter: null }, { ...player("b", "B", ""), starter: null }];
    const shown = formation({ players });
    assert.deepEqual(shown.squad.map((p) => p.id), ["a", "b"]);
    assert.equal(shown.lines, null);
    assert.deepEqual(formation(null).squad, []);
  });
});

const lineupPanel = (side, name) => ({ lineup: { side, team: "", players: [player(`${side}-1`, name, "attack")] } });

describe("chooseLineups", () => {
  const page = {
    lineups: { home: { ...lineupPanel("home", "Page home").lineup, action_id: "L1" } },
    conditions: { weather: "Dry", action_id: "C1" },
  };
  // Actions the page was rendered with have row.kind only; live ones their whole row.
  const pageAction = (id, kind) => ({ action_id: id, removed: false, row: { kind, detail: "" } });

  test("takes the page's lineup and conditions while nothing newer has come", () => {
    const actions = new Map([["L0", pageAction("L0", "lineups")], ["L1", pageAction("L1", "lineups")], ["C1", pageAction("C1", "match_conditions")]]);
    const chosen = chooseLineups(page, ["L0", "L1", "C1"], actions);
    assert.equal(chosen.lineups.home.players[0].name, "Page home");
    assert.equal(chosen.lineups.away, null);
    assert.equal(chosen.conditions.weather, "Dry");
  });

  test("a newer live lineup or conditions wins, and a removed one is not used", () => {
    const actions = new Map([
      ["L1", pageAction("L1", "lineups")],
      ["L2", { action_id: "L2", removed: false, row: { kind: "lineups", panel: lineupPanel("home", "Live home") } }],
      ["A1", { action_id: "A1", removed: false, row: { kind: "lineups", panel: lineupPanel("away", "Live away") } }],
      ["C2", { action_id: "C2", removed: false, row: { kind: "match_conditions", panel: { conditions: { weather: "Wet" } } } }],
      ["L3", { action_id: "L3", removed: true, row: { kind: "lineups", panel: lineupPanel("home", "Removed") } }],
      ["L4", { action_id: "L4", removed: false, row: { kind: "lineups", panel: null } }],
    ]);
    const chosen = chooseLineups(page, ["L1", "L2", "A1", "C2", "L3", "L4"], actions);
    assert.equal(chosen.lineups.home.players[0].name, "Live home");
    assert.equal(chosen.lineups.away.players[0].name, "Live away");
    assert.equal(chosen.conditions.weather, "Wet");
  });

  test("the page's lineup removed live is no longer shown, nor one forgotten by a reset", () => {
    const removed = new Map([["L1", { action_id: "L1", removed: true, row: { kind: "lineups", panel: lineupPanel("home", "Page home") } }]]);
    assert.equal(chooseLineups(page, ["L1"], removed).lineups.home, null);
    assert.deepEqual(chooseLineups(page, [], new Map()), { lineups: { home: null, away: null }, conditions: null });
  });
});

describe("playerMarkers", () => {
  const act = (id, kind, playerId, extra = {}) => ({
    action_id: id, period: 1, clock_time: "22:10", team_is_home: true, player_id: playerId, removed: false,
    row: { kind, detail: "" }, ...extra,
  });

  test("marks goals, cards and substitutions on the player, in timeline order, with the minute", () => {
    const actions = new Map([
      ["g", act("g", "goal", "P-1")],
      ["y", act("y", "yellow_card", "p-1", { period: 2, clock_time: "91:05" })],
      ["off", act("off", "substitution_off", "p-1", { row: { kind: "substitution_off", minute: "88'", state: "confirmed" } })],
      ["on", act("on", "substitution_on", "p-2")],
      ["f", act("f", "foul", "p-2")],
      ["r", act("r", "red_card", "p-3", { removed: true })],
      ["n", act("n", "goal", null)],
      ["e", act("e", "goal", "")],
    ]);
    const marks = playerMarkers(["g", "y", "off", "on", "f", "r", "n", "e"], actions);
    assert.deepEqual(marks.get("p-1").map((m) => [m.mark, m.minute]), [["goal", "23'"], ["yellow", "90+2'"], ["off", "88'"]]);
    assert.deepEqual(marks.get("p-2").map((m) => m.mark), ["on"]);
    assert.equal(marks.has("p-3"), false, "a removed card is not marked");
    assert.equal(marks.size, 2);
  });

  test("a goal credited to the other side is an own goal, a pending one provisional", () => {
    const actions = new Map([
      ["og", act("og", "goal", "a-9", { team_is_home: true })],
      ["p", act("p", "yellow_card", "a-9", { team_is_home: false, row: { kind: "yellow_card", state: "pending", minute: "30'" } })],
    ]);
    const marks = playerMarkers(["og", "p"], actions);
    const shown = marksOf({ id: "A-9" }, "away", marks);
    assert.deepEqual(shown.map((m) => [m.mark, m.label]), [["own-goal", "Own goal"], ["yellow", "Yellow card (provisional)"]]);
    assert.deepEqual(marksOf({ id: 9 }, "home", new Map([["9", [{ mark: "goal", label: "Goal", side: "home" }]]])).map((m) => m.mark), ["goal"]);
    assert.deepEqual(marksOf({ id: null }, "home", marks), []);
  });
});

test("shortName keeps the last name", () => {
  assert.equal(shortName("James  Andersen "), "Andersen");
  assert.equal(shortName("Pelé"), "Pelé");
  assert.equal(shortName(""), "");
});
