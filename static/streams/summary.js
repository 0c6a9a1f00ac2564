// A fixture's summary (Fixture.to_payload) as the list and the match page show it: its
// section, status badges, period label, score by period and kit colours. The same rules
// as streams/views.py. No DOM (tests/js/summary.test.mjs); drawing.js draws them.

import { adjustPair, contrast, DEFAULT_AWAY, DEFAULT_HOME } from "./colours.js";

const LIVE_STATUSES = ["Live", "Suspended"];
const ENDED_STATUSES = ["Completed", "Abandoned", "Cancelled", "Postponed", "Unverified"];

export function sectionOf(fixture) {
  if (fixture.finished || ENDED_STATUSES.includes(fixture.status)) return "finished";
  return LIVE_STATUSES.includes(fixture.status) ? "live" : "upcoming";
}

// A summary without a usable periods list is drawn as one with none, not as a crash.
const periodsOf = (fixture) => (Array.isArray(fixture.periods) ? fixture.periods : []);

function atBreak(fixture) {
  const periods = periodsOf(fixture);
  return periods.length > 0 && Boolean(periods[periods.length - 1].end) && !fixture.finished;
}

// [css class, text] pairs.
export function badgesOf(fixture) {
  const found = [];
  if (fixture.collection_status === "CollectionDropped") found.push(["dropped", "Collection dropped"]);
  if (fixture.status === "Suspended" || fixture.collection_status === "CollectionSuspended") {
    found.push(["suspended", "Suspended"]);
  }
  if (fixture.finished || fixture.status === "Completed") found.push(["finished", "Finished"]);
  else if (fixture.status === "Live") found.push(atBreak(fixture) ? ["halftime", "Half-time"] : ["live", "Live"]);
  else if (fixture.status === "Scheduled") found.push(["scheduled", "Scheduled"]);
  if (![...LIVE_STATUSES, "Completed", "Scheduled"].includes(fixture.status)) found.push(["other", fixture.status]);
  if (fixture.coverage_level) found.push(["coverage", `Coverage: ${fixture.coverage_level}`]);
  return found;
}

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

// A shootout's tally {home, away}: the Shootout period's own score when the feed gave it,
// else the kicks counted ([{side, outcome}], shootout.js shootoutKicks()); null when
// there is no shootout. streams/meaning/scoreline.py shootout_tally() is the same rule.
export function shootoutTally(fixture, kicks = []) {
  const shootout = periodsOf(fixture).find((p) => p.type === "Shootout");
  if (!shootout && !kicks.length) return null;
  const given = shootout && [shootout.home_period_score, shootout.away_period_score];
  if (given && given.every((n) => Number.isInteger(n))) return { home: given[0], away: given[1] };
  const scored = (side) => kicks.filter((k) => k.side === side && k.outcome === "scored").length;
  return { home: scored("home"), away: scored("away") };
}

// "Harbour Town win 5–4 on penalties", the winner's tally first; null without a winner.
export function shootoutWinner(fixture, kicks = []) {
  const tally = shootoutTally(fixture, kicks);
  if (!tally || tally.home === tally.away) return null;
  const [side, other] = tally.home > tally.away ? ["home", "away"] : ["away", "home"];
  return `${fixture[`${side}_team`]} win ${tally[side]}–${tally[other]} on penalties`;
}

// ``kicks``: as for shootoutTally, for when the feed gave no shootout score.
export function periodLabel(fixture, kicks = []) {
  const periods = periodsOf(fixture);
  if (fixture.finished || fixture.status === "Completed") {
    if (!periods.some((p) => p.type === "Shootout") && !kicks.length) return "Full time";
    return shootoutWinner(fixture, kicks) || "After penalties";
  }
  if (atBreak(fixture)) return periods[periods.length - 1].id === 1 ? "Half-time" : "End of normal time";
  const current = periods.find((p) => p.id === fixture.current_period);
  if (current && current.label) return capitalise(String(current.label));
  return fixture.status === "Scheduled" ? "Not started" : "";
}

// [label, score] per period: cumulative after each half, the tally of a shootout.
export function periodScores(periods) {
  return (Array.isArray(periods) ? periods : []).map((p) => {
    if (p.type === "Shootout") return ["Penalties", `${p.home_period_score || 0}–${p.away_period_score || 0}`];
    let label = capitalise(String(p.label || `Period ${p.id}`));
    if (p.end) label = { 1: "Half-time", 2: "Full time" }[p.id] || label;
    return [label, `${p.home_score || 0}–${p.away_score || 0}`];
  });
}

// Kit colours arrive as "R, G, B" (Team Colours). [r, g, b], or null for anything else.
export function parseKit(rgb) {
  const parts = String(rgb || "").split(",").map((n) => Number.parseInt(n, 10));
  if (parts.length !== 3 || parts.some((n) => !(n >= 0 && n <= 255))) return null;
  return parts;
}

// A colour as CSS, with the ink (for a name drawn on it) that contrasts with it the most.
function painted(colour) {
  const ink = contrast(colour, [255, 255, 255]) >= contrast(colour, [17, 17, 17]) ? "#fff" : "#111";
  return { kit: `rgb(${colour.join(" ")})`, ink };
}

// Both teams' colours as drawn: adjusted together (colours.js) so that each stands out
// from the page and from the other. A team without colours gets the default in the
// adjustment (the bars are drawn in it all the same) and ``known: false``.
const pairs = new Map(); // the adjustment is a search: once per pair of colours
export function teamKits(homeRgb, awayRgb) {
  const home = parseKit(homeRgb);
  const away = parseKit(awayRgb);
  const key = `${home}|${away}`;
  if (!pairs.has(key)) {
    const [h, a] = adjustPair(home || DEFAULT_HOME, away || DEFAULT_AWAY);
    pairs.set(key, {
      home: { ...painted(h), known: Boolean(home) },
      away: { ...painted(a), known: Boolean(away) },
    });
  }
  return pairs.get(key);
}
