// static/streams/summary.js: a fixture's section, badges, period label, score by period
// and kit colours, the same rules as streams/views.py.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  badgesOf, parseKit, periodLabel, periodScores, sectionOf, shootoutTally, teamKits,
} from "../../static/streams/summary.js";

// Fixture.to_payload(), with only what these functions read.
const fixture = (extra = {}) => ({
  status: "Live", collection_status: null, coverage_level: null, finished: false,
  periods: [], current_period: null, ...extra,
});
const firstHalf = { id: 1, type: "Regular", label: "1st half", home_score: 1, away_score: 0 };
const ended = (period) => ({ ...period, end: "2025-01-01T15:47:00Z" });

describe("sectionOf", () => {
  test("finished: the flag, or any status a match does not come back from", () => {
    assert.equal(sectionOf(fixture({ finished: true })), "finished");
    for (const status of ["Completed", "Abandoned", "Cancelled", "Postponed", "Unverified"]) {
      assert.equal(sectionOf(fixture({ status })), "finished", status);
    }
  });

  test("live while live or suspended, upcoming otherwise", () => {
    assert.equal(sectionOf(fixture({ status: "Live" })), "live");
    assert.equal(sectionOf(fixture({ status: "Suspended" })), "live");
    assert.equal(sectionOf(fixture({ status: "Scheduled" })), "upcoming");
    assert.equal(sectionOf(fixture({ status: "Delayed" })), "upcoming");
  });
});

describe("badgesOf", () => {
  test("a live match", () => {
    assert.deepEqual(badgesOf(fixture({ periods: [firstHalf], current_period: 1 })), [["live", "Live"]]);
  });

  test("half-time: the last period has ended and the match has not", () => {
    assert.deepEqual(badgesOf(fixture({ periods: [ended(firstHalf)] })), [["halftime", "Half-time"]]);
  });

  test("finished wins over live and half-time", () => {
    assert.deepEqual(badgesOf(fixture({ finished: true, periods: [ended(firstHalf)] })), [["finished", "Finished"]]);
    assert.deepEqual(badgesOf(fixture({ status: "Completed" })), [["finished", "Finished"]]);
  });

  test("scheduled, suspended, and any other status by its name", () => {
    assert.deepEqual(badgesOf(fixture({ status: "Scheduled" })), [["scheduled", "Scheduled"]]);
    assert.deepEqual(badgesOf(fixture({ status: "Suspended" })), [["suspended", "Suspended"]]);
    assert.deepEqual(badgesOf(fixture({ status: "Abandoned" })), [["other", "Abandoned"]]);
  });

  test("collection problems and coverage come with the status, in that order", () => {
    const badges = badgesOf(fixture({
      collection_status: "CollectionDropped", coverage_level: "Venue", periods: [firstHalf],
    }));
    assert.deepEqual(badges, [["dropped", "Collection dropped"], ["live", "Live"], ["coverage", "Coverage: Venue"]]);
    assert.deepEqual(
      badgesOf(fixture({ collection_status: "CollectionSuspended" })),
      [["suspended", "Suspended"], ["live", "Live"]],
    );
  });

  test("a summary whose periods are not a list is one without periods", () => {
    assert.deepEqual(badgesOf(fixture({ periods: null })), [["live", "Live"]]);
    assert.deepEqual(badgesOf(fixture({ periods: {} })), [["live", "Live"]]);
  });
});

describe("periodLabel", () => {
  test("the current period's label, capitalised", () => {
    assert.equal(periodLabel(fixture({ periods: [firstHalf], current_period: 1 })), "1st half");
    const extra = { id: 3, type: "ExtraTime", label: "extra time first half" };
    assert.equal(periodLabel(fixture({ periods: [firstHalf, extra], current_period: 3 })), "Extra time first half");
  });

  test("between periods", () => {
    assert.equal(periodLabel(fixture({ periods: [ended(firstHalf)], current_period: 1 })), "Half-time");
    const second = ended({ id: 2, label: "2nd half" });
    assert.equal(periodLabel(fixture({ periods: [ended(firstHalf), second], current_period: 2 })), "End of normal time");
  });

  test("at the end", () => {
    assert.equal(periodLabel(fixture({ finished: true, periods: [ended(firstHalf)] })), "Full time");
    assert.equal(periodLabel(fixture({ status: "Completed", periods: [{ id: 5, type: "Shootout" }] })), "After penalties");
  });

  test("before kick-off, and with nothing to say", () => {
    assert.equal(periodLabel(fixture({ status: "Scheduled" })), "Not started");
    assert.equal(periodLabel(fixture({ current_period: 1 })), "");
    assert.equal(periodLabel(fixture({ periods: "junk", current_period: 1 })), "");
  });
});

describe("a finished shootout's winner", () => {
  // The same cases as tests/streams/test_shootout_label.py: the two labels must agree.
  const teams = { home_team: "Harbour Town", away_team: "Elmstead FC", status: "Completed", finished: true };
  const shootout = (home, away) => ({ id: 3, type: "Shootout", home_period_score: home, away_period_score: away });
  const kick = (side, outcome) => ({ side, outcome });

  test("the winner and the tally, winner's first, from the Shootout period's score", () => {
    assert.equal(periodLabel(fixture({ ...teams, periods: [ended(firstHalf), shootout(4, 5)] })), "Elmstead FC win 5–4 on penalties");
    assert.equal(periodLabel(fixture({ ...teams, periods: [shootout(5, 3)] })), "Harbour Town win 5–3 on penalties");
  });

  test("the kicks counted when the feed gave no shootout score", () => {
    const kicks = [kick("home", "scored"), kick("away", "missed"), kick("home", "missed"), kick("away", "scored"), kick("home", "scored"), kick("away", "")];
    assert.deepEqual(shootoutTally(fixture({ periods: [shootout(null, null)] }), kicks), { home: 2, away: 1 });
    assert.equal(periodLabel(fixture({ ...teams, periods: [shootout(null, null)] }), kicks), "Harbour Town win 2–1 on penalties");
    // The feed's score wins over the kicks shown, which may be fewer than were taken.
    assert.equal(periodLabel(fixture({ ...teams, periods: [shootout(3, 4)] }), kicks), "Elmstead FC win 4–3 on penalties");
  });

  test("no winner to name: after penalties; no shootout: full time, no tally", () => {
    assert.equal(periodLabel(fixture({ ...teams, periods: [shootout(null, null)] })), "After penalties");
    assert.equal(periodLabel(fixture({ ...teams, periods: [shootout(2, 2)] })), "After penalties");
    assert.equal(periodLabel(fixture({ ...teams, periods: [ended(firstHalf)] })), "Full time");
    assert.equal(shootoutTally(fixture({ periods: [ended(firstHalf)] })), null);
  });

  test("a shootout still being played keeps its period's label", () => {
    const playing = { id: 3, type: "Shootout", label: "penalty shootout", home_period_score: 2, away_period_score: 1 };
    assert.equal(periodLabel(fixture({ ...teams, status: "Live", finished: false, periods: [playing], current_period: 3 })), "Penalty shootout");
  });
});

describe("periodScores", () => {
  test("each period's score, ended halves named as such", () => {
    const periods = [ended(firstHalf), { id: 2, label: "2nd half", home_score: 2, away_score: 2 }];
    assert.deepEqual(periodScores(periods), [["Half-time", "1–0"], ["2nd half", "2–2"]]);
    assert.deepEqual(periodScores([ended({ id: 2, label: "2nd half", home_score: 3 })]), [["Full time", "3–0"]]);
  });

  test("a shootout shows its own tally; a period without a label is numbered", () => {
    const periods = [{ id: 3, home_score: 1, away_score: 1 }, { id: 5, type: "Shootout", home_period_score: 4, away_period_score: 3 }];
    assert.deepEqual(periodScores(periods), [["Period 3", "1–1"], ["Penalties", "4–3"]]);
  });

  test("no periods", () => {
    assert.deepEqual(periodScores(null), []);
    assert.deepEqual(periodScores(undefined), []);
    assert.deepEqual(periodScores([]), []);
  });
});

describe("parseKit and teamKits", () => {
  test("an 'R, G, B' colour", () => {
    assert.deepEqual(parseKit("255, 255, 255"), [255, 255, 255]);
    assert.deepEqual(parseKit("0,0,0"), [0, 0, 0]);
  });

  test("anything else is no colour", () => {
    for (const rgb of [null, undefined, "", "red", "1,2", "1,2,3,4", "256,0,0", "-1,0,0", "a,b,c", "1,,3"]) {
      assert.equal(parseKit(rgb), null, JSON.stringify(rgb));
    }
  });

  test("kits that already stand out are drawn as sent, with ink that reads on them", () => {
    const kits = teamKits("0,0,0", "200, 16, 46");
    assert.deepEqual(kits.home, { kit: "rgb(0 0 0)", ink: "#fff", known: true });
    assert.deepEqual(kits.away, { kit: "rgb(200 16 46)", ink: "#fff", known: true }); // dark red
  });

  test("the ink is whichever of white and #111 contrasts more with the kit as drawn", () => {
    // Mid grey: 5.1:1 with #111, 3.9:1 with white; it needs no adjustment beside black.
    assert.deepEqual(teamKits("128, 128, 128", "0, 0, 0").home, { kit: "rgb(128 128 128)", ink: "#111", known: true });
    assert.equal(teamKits("100, 100, 100", "0, 0, 0").home.ink, "#fff"); // 5.9:1, and 3.2:1 with #111
    assert.equal(teamKits("0, 56, 168", "0, 0, 0").home.ink, "#fff");
  });
});
