// The penalty shootout panel: a row per team, a cell per kick in the order taken (scored,
// missed, or not known yet), the sudden-death kicks after the fifth set apart, and the
// winner once the match is over. Hidden when the match has no shootout. shootoutKicks and
// shootoutGrid are pure (tests/js/shootout.test.mjs); drawShootout draws with DOM calls.

import { compareActions, kindOf, sideOf } from "./actions.js";
import { shootoutTally, shootoutWinner } from "./summary.js";

// The kind of a shootout kick (streams/meaning/kinds.py ActionKind.SHOOTOUT_KICK); its
// row's detail is the outcome the server read off the sub-type (timeline.py).
export const SHOOTOUT_KIND = "shootout_kick";
// Each team takes five; a kick after its fifth is sudden death.
export const ROUNDS = 5;
const OUTCOMES = { scored: ["✓", "scored"], missed: ["✗", "missed"], "": ["?", "not known yet"] };

// The kicks not removed, in timeline order, as [{action_id, side, outcome}].
export function shootoutKicks(actions) {
  return [...actions.values()]
    .filter((a) => kindOf(a) === SHOOTOUT_KIND && !a.removed && sideOf(a))
    .sort(compareActions)
    .map((a) => ({ action_id: a.action_id, side: sideOf(a), outcome: a.row.detail in OUTCOMES ? a.row.detail : "" }));
}

// The grid: each side's outcomes in order, and how many columns (rounds) to draw.
export function shootoutGrid(kicks) {
  const rows = { home: [], away: [] };
  for (const kick of kicks) rows[kick.side].push(kick.outcome);
  const rounds = Math.max(ROUNDS, rows.home.length, rows.away.length);
  return { rows, rounds };
}

function element(tag, attributes = {}, text) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value) made.setAttribute(name, value);
  if (text !== undefined) made.textContent = text; // team names stay text
  return made;
}

function headRow(rounds) {
  const row = element("tr");
  row.append(element("th", { scope: "col" }, "Team"));
  for (let i = 1; i <= rounds; i += 1) {
    const cell = element("th", { scope: "col", class: i > ROUNDS ? "sudden-death" : "" }, String(i));
    if (i > ROUNDS) cell.append(element("span", { class: "visually-hidden" }, ", sudden death"));
    row.append(cell);
  }
  row.append(element("th", { scope: "col", class: "tally" }, "Goals"));
  return row;
}

function teamRow(side, team, outcomes, rounds, goals) {
  const row = element("tr", { "data-side": side });
  row.append(element("th", { scope: "row", class: "team" }, team));
  for (let i = 0; i < rounds; i += 1) {
    const css = i >= ROUNDS ? "kick sudden-death" : "kick";
    if (i >= outcomes.length) {
      row.append(element("td", { class: `${css} none` })); // not taken (yet)
      continue;
    }
    const [symbol, words] = OUTCOMES[outcomes[i]];
    const cell = element("td", { class: `${css} ${outcomes[i] || "unknown"}`, "data-outcome": outcomes[i] });
    cell.append(element("span", { "aria-hidden": "true" }, symbol), element("span", { class: "visually-hidden" }, words));
    row.append(cell);
  }
  row.append(element("td", { class: "tally" }, String(goals)));
  return row;
}

// ``centre``: the match centre's state (centre.js).
export function drawShootout(page, centre) {
  const panel = page.querySelector("[data-shootout-panel]");
  if (!panel) return;
  const { fixture } = centre;
  const kicks = shootoutKicks(centre.actions);
  const tally = shootoutTally(fixture, kicks);
  panel.hidden = tally === null;
  if (tally === null) return;
  const { rows, rounds } = shootoutGrid(kicks);
  const winner = fixture.finished ? shootoutWinner(fixture, kicks) : null;
  panel.querySelector("[data-shootout-result]").textContent = winner
    || `${fixture.home_team} ${tally.home}–${tally.away} ${fixture.away_team}`;
  const teams = { home: fixture.home_team, away: fixture.away_team };
  const head = element("thead");
  const body = element("tbody");
  head.append(headRow(rounds));
  body.append(...["home", "away"].map((side) => teamRow(side, teams[side], rows[side], rounds, tally[side])));
  panel.querySelector("[data-shootout-grid]").replaceChildren(head, body);
}
