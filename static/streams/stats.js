// Match stats and momentum, counted from the actions by kind with the page's
// "stats-rules" (streams/meaning/drawing.py STATS_RULES): one implementation, redrawn on
// each change. compute*/statsTable/momentumColumns are pure (tests/js/stats.test.mjs);
// draw* put them on the page.

import { kindOf, sideOf } from "./actions.js";
import { parseClock } from "./clock.js";

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

export function computeMomentum(actions, rules) {
  // Five-minute buckets per half; stoppage time gets buckets of its own after 45' and 90'.
  const buckets = new Map();
  for (const period of [1, 2]) {
    const first = period === 1 ? 0 : 9;
    for (let i = first; i < first + 9; i += 1) buckets.set(`${period}:${i}`, { period, index: i, home: 0, away: 0 });
  }
  for (const action of actions.values()) {
    if (action.removed || kindOf(action) !== rules.momentum || ![1, 2].includes(action.period)) continue;
    const side = sideOf(action);
    const seconds = parseClock(action.clock_time);
    if (!side || seconds === null) continue;
    const index = Math.floor(seconds / 300);
    const key = `${action.period}:${index}`;
    if (!buckets.has(key)) buckets.set(key, { period: action.period, index, home: 0, away: 0 });
    buckets.get(key)[side] += 1;
  }
  return [...buckets.values()].sort((a, b) => a.period - b.period || a.index - b.index);
}

// The strip's columns: a tooltip and each side's bar height (the busiest bucket fills half).
export function momentumColumns(buckets) {
  const most = Math.max(1, ...buckets.map((b) => Math.max(b.home, b.away)));
  return buckets.map((bucket) => {
    const from = bucket.index * 5;
    return {
      period: bucket.period,
      title: `${from}'–${from + 5}': ${bucket.home} v ${bucket.away}`,
      home: `${(50 * bucket.home) / most}%`,
      away: `${(50 * bucket.away) / most}%`,
    };
  });
}

export function drawMomentum(page, centre) {
  const columns = momentumColumns(computeMomentum(centre.actions, centre.rules)).map((bucket) => {
    const column = document.createElement("div");
    column.className = `bucket period-${bucket.period}`;
    column.title = bucket.title;
    for (const side of ["home", "away"]) {
      const bar = document.createElement("span");
      bar.className = `bar ${side}`;
      bar.style.height = bucket[side];
      column.append(bar);
    }
    return column;
  });
  page.querySelector("[data-momentum]").replaceChildren(...columns);
}
