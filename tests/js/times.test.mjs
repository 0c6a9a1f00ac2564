// static/streams/times.js: kick-off times in the viewer's zone, named; days for grouping.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { addDays, dayKey, dayLabel, formatKickoff, localiseTimes } from "../../static/streams/times.js";

const KICKOFF = "2026-12-06T20:00:00+00:00";

describe("formatKickoff", () => {
  test("in the zone asked for, with the zone named", () => {
    assert.equal(formatKickoff(KICKOFF, { locale: "en-GB", timeZone: "UTC" }), "Sun 6 Dec, 20:00 UTC");
    assert.equal(formatKickoff(KICKOFF, { locale: "en-GB", timeZone: "Europe/Paris" }), "Sun 6 Dec, 21:00 CET");
    // Across midnight: the viewer's own date, not the server's.
    assert.equal(formatKickoff(KICKOFF, { locale: "en-GB", timeZone: "Asia/Kolkata" }), "Mon 7 Dec, 01:30 GMT+5:30");
    assert.match(formatKickoff(KICKOFF, { locale: "en-US", timeZone: "America/New_York" }), /03:00 PM EST$/);
  });

  test("the same text as the server's UTC fallback when the viewer is in UTC", () => {
    // templates/streams/_fixture_row.html: {{ f.kickoff|date:"D j M, H:i T" }}
    assert.equal(formatKickoff("2026-12-06T19:45:00+00:00", { locale: "en-GB", timeZone: "UTC" }), "Sun 6 Dec, 19:45 UTC");
  });

  test("a datetime that does not parse is no text", () => {
    assert.equal(formatKickoff("not a time", { timeZone: "UTC" }), null);
    assert.equal(formatKickoff("", { timeZone: "UTC" }), null);
  });
});

describe("dayKey and dayLabel", () => {
  test("the calendar day in the zone", () => {
    assert.equal(dayKey(KICKOFF, "UTC"), "2026-12-06");
    assert.equal(dayKey(KICKOFF, "Asia/Tokyo"), "2026-12-07");
    assert.equal(dayKey("2026-12-06T03:00:00Z", "America/Los_Angeles"), "2026-12-05");
    assert.equal(dayKey("nonsense", "UTC"), null);
  });

  test("days move over month and year ends", () => {
    assert.equal(addDays("2026-12-31", 1), "2027-01-01");
    assert.equal(addDays("2026-03-01", -1), "2026-02-28");
  });

  test("labels name today, yesterday and tomorrow, as the server does", () => {
    const today = "2026-12-06";
    // streams/viewers/days.py day_label says the same in en-GB.
    assert.equal(dayLabel(today, today, { locale: "en-GB" }), "Today, Sun 6 Dec");
    assert.equal(dayLabel("2026-12-05", today, { locale: "en-GB" }), "Yesterday, Sat 5 Dec");
    assert.equal(dayLabel("2026-12-07", today, { locale: "en-GB" }), "Tomorrow, Mon 7 Dec");
    assert.equal(dayLabel("2027-01-01", today, { locale: "en-GB" }), "Fri 1 Jan");
  });
});

describe("localiseTimes", () => {
  const time = (dateTime, text) => ({ dateTime, textContent: text, title: "" });

  test("rewrites each marked <time> and keeps the server's text for a bad one", () => {
    const good = time(KICKOFF, "Sun 6 Dec, 20:00 UTC");
    const bad = time("garbage", "server text");
    const root = {
      querySelectorAll(selector) {
        assert.equal(selector, 'time[data-local="kickoff"]');
        return [good, bad];
      },
    };
    localiseTimes(root, { locale: "en-GB", timeZone: "Europe/Paris" });
    assert.equal(good.textContent, "Sun 6 Dec, 21:00 CET");
    assert.equal(good.title, "Your time zone: Europe/Paris");
    assert.equal(bad.textContent, "server text");
  });
});
