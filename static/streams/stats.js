// Match stats, counted from the actions by kind with the page's "stats-rules"
// (streams/meaning/drawing.py STATS_RULES): one implementation, redrawn on each change.
// computeStats/statsTable are pure (tests/js/stats.test.mjs); drawStats puts them on the
// page. The momentum graph is momentum.js's; centre.js imports its drawing from here.

import { kindOf, sideOf } from "./actions.js";
import { parseClock } from "./clock.js";

export { drawMomentum } from "./momentum.js";

// ``actions``: a Map of action id to action. ``rules``: the page's "stats-rules".
export function computeStats(actions, currentPeriod, clockNow, rules) {
  const counts = { home: {}, away: {} };
  const possession = {};
  const periodEnds = {};
  for (const action of actions.values()) {
    if (action.removed) continue;
    const kind = kindOf(action);
    if (kind === rules.end_period) periodEnds[action.period] = parseClock(action.clock_time);
    const side = sideOf(action);
    if (!side) continue;
    counts[side][kind] = (counts[side][kind] || 0) + 1;
    if (kind === rules.possession && action.period) {
      (possession[action.period] ||= []).push([parseClock(action.clock_time), action.first_position, side]);
    }
  }
  // Possession share is time on the ball: each gain lasts until the next one, or until
  // the end of its period (the running clock while that period is being played).
  const held = { home: 0, away: 0 };
  for (const [period, gains] of Object.entries(possession)) {
    gains.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    const end = periodEnds[period] ?? (Number(period) === currentPeriod ? clockNow : null);
    gains.forEach(([at, , side], i) => {
      const until = i + 1 < gains.length ? gains[i + 1][0] : end;
      if (at !== null && until !== null && until > at) held[side] += until - at;
    });
  }
  const total = held.home + held.away;
  return { counts, possession: total ? Math.round((100 * held.home) / total) : null };
}

// The home side's share of a count, in per cent (half each when neither has any).
const share = (home = 0, away = 0) => (home + away ? (100 * home) / (home + away) : 50);

// The table's rows: possession first, then each count of ``rules.counts`` ([label, kind]).
export function statsTable({ counts, possession }, rules) {
  return [["Possession", null], ...rules.counts].map(([label, type]) => {
    const [home, away] = type === null
      ? (possession === null ? ["–", "–"] : [`${possession}%`, `${100 - possession}%`])
      : [counts.home[type] || 0, counts.away[type] || 0];
    const homeShare = type === null ? possession ?? 50 : share(counts.home[type], counts.away[type]);
    return { label, home, away, homeShare };
  });
}

// ``centre``: the match centre's state (centre.js), window.matchCentre.centre.
export function drawStats(page, centre) {
  const { rules } = centre;
  const stats = computeStats(centre.actions, centre.fixture.current_period, centre.clock.now(), rules);
  const rows = statsTable(stats, rules).map(({ label, home, away, homeShare }) => {
    const tr = document.createElement("tr");
    tr.dataset.stat = label;
    const cells = [["td", home, "home"], ["th", label, "label"], ["td", away, "away"]].map(([tag, text, css]) => {
      const cell = document.createElement(tag);
      cell.className = css;
      cell.textContent = text;
      return cell;
    });
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.setProperty("--home-share", `${homeShare}%`);
    cells[1].append(bar);
    tr.append(...cells);
    return tr;
  });
  page.querySelector("[data-stats-rows]").replaceChildren(...rows);
}
