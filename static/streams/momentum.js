// The momentum graph: each side's pressure minute by minute, home above the axis and away
// below, goals marked on the scoring side. Pressure is the weighted count of a side's
// dangerous attacks, shots and corners in a minute, with the weights the page sends in
// "stats-rules" (streams/meaning/drawing.py STATS_RULES["momentum"]), so the rule is
// written once. computeMomentum, smoothed and momentumSummary are pure
// (tests/js/momentum.test.mjs); drawMomentum draws one SVG with DOM calls, once per burst
// of changes (centre.js debounces drawDerived).

import { kindOf, sideOf } from "./actions.js";
import { parseClock } from "./clock.js";

const SIDES = ["home", "away"];
// Where each period's minutes start and end on the feed's clock, which runs on from one
// period into the next (streams/meaning/minutes.py PERIOD_ENDS): 45:00 is the 46th minute.
const PERIOD_STARTS = { 1: 0, 2: 45, 3: 90, 4: 105 };
const PERIOD_ENDS = { 1: 45, 2: 90, 3: 105, 4: 120 };
// A later period whose clock is before 90:00 is a shootout: it has no minutes (minutes.py).
const EXTRA_TIME_STARTS = 90 * 60;

// [period, 0-based minute of the feed's clock] of an action, or null when it has none: a
// shootout kick, set-up in period 0, a clock we cannot read. Stoppage time keeps its
// minute (45:30 in the first half is minute 45, drawn after the 45th as 45+1').
export function minuteOf(action) {
  const period = action.period;
  const seconds = parseClock(action.clock_time);
  if (!(period in PERIOD_ENDS) || seconds === null) return null;
  if (period >= 3 && seconds < EXTRA_TIME_STARTS) return null;
  return [period, Math.max(PERIOD_STARTS[period], Math.floor(seconds / 60))];
}

// A minute as fans write it: 17', 45+2' (minutes.py fan_minute).
export function fanMinute(period, minute) {
  const end = PERIOD_ENDS[period];
  return minute >= end ? `${end}+${minute + 1 - end}'` : `${minute + 1}'`;
}

// The graph's columns, one a minute: the halves' 90 always (so the axis does not move as a
// match goes on), extra time once an action is in it, and stoppage minutes after the end
// of their period, as far as any action reaches (shown beyond, not folded into the 45th:
// folding four minutes into one would draw a spike that was never played). Each column
// has each side's pressure; ``goals`` are the goals not removed, at their column.
export function computeMomentum(actions, rules) {
  const { weights, goal } = rules.momentum;
  const seen = [];
  const reach = { 1: PERIOD_ENDS[1] - 1, 2: PERIOD_ENDS[2] - 1 }; // period -> last minute
  for (const action of actions.values()) {
    if (action.removed) continue;
    const at = minuteOf(action);
    if (!at) continue;
    const [period, minute] = at;
    reach[period] = Math.max(reach[period] ?? PERIOD_ENDS[period] - 1, minute);
    seen.push([action, period, minute]);
  }
  const columns = [];
  const index = new Map(); // "period:minute" -> column index
  for (const period of Object.keys(reach).map(Number).sort((a, b) => a - b)) {
    for (let minute = PERIOD_STARTS[period]; minute <= reach[period]; minute += 1) {
      index.set(`${period}:${minute}`, columns.length);
      const stoppage = minute >= PERIOD_ENDS[period];
      columns.push({ period, minute, stoppage, label: fanMinute(period, minute), home: 0, away: 0 });
    }
  }
  const goals = [];
  for (const [action, period, minute] of seen) {
    const side = sideOf(action);
    const kind = kindOf(action);
    if (!side) continue;
    const column = index.get(`${period}:${minute}`);
    if (weights[kind]) columns[column][side] += weights[kind];
    // The goal's team is the scoring side in the feed (an own goal is credited to the team
    // it counts for, as the score is).
    if (kind === goal) goals.push({ column, side, label: columns[column].label });
  }
  goals.sort((a, b) => a.column - b.column);
  return { columns, goals };
}

// Light smoothing for the drawing only: each minute is a quarter of each neighbour and half
// itself (the weights renormalised at a period's edge), never across a break, so one shot
// reads as a short swell rather than a lone spike. The summary reads the raw counts.
export function smoothed(columns, side) {
  return columns.map((column, i) => {
    let total = 2 * column[side];
    let parts = 2;
    for (const j of [i - 1, i + 1]) {
      const other = columns[j];
      if (!other || other.period !== column.period) continue;
      total += other[side];
      parts += 1;
    }
    return total / parts;
  });
}

// A 15-minute stretch of a period (0'–15', ..., 30'–45' with its stoppage time) that
// holds column ``column``: [from, to] as fans write the bounds.
function stretchOf(column) {
  const start = PERIOD_STARTS[column.period];
  const within = Math.min(column.minute, PERIOD_ENDS[column.period] - 1) - start;
  const from = start + 15 * Math.floor(within / 15);
  return [from, from + 15];
}

// What the graph shows, in words, for the summary beside it and screen readers: the
// 15 minutes each side pressed most in, and the goals.
export function momentumSummary({ columns, goals }, teams) {
  const pressed = [];
  for (const side of SIDES) {
    const stretches = new Map();
    for (const column of columns) {
      if (!column[side]) continue;
      const key = stretchOf(column).join("–");
      stretches.set(key, (stretches.get(key) || 0) + column[side]);
    }
    if (!stretches.size) continue;
    // The busiest stretch; the earlier one on a tie (Map keeps the match's order).
    const [best] = [...stretches].reduce((a, b) => (b[1] > a[1] ? b : a));
    const [from, to] = best.split("–");
    pressed.push(`${teams[side]}${pressed.length ? "" : " pressed most"} from ${from}' to ${to}'`);
  }
  const said = pressed.length ? pressed.join(", ") : "No pressure recorded yet";
  const scored = goals.map((g) => `${g.label} (${teams[g.side]})`);
  return `${said}; ${scored.length ? `goals at ${scored.join(", ")}` : "no goals"}.`;
}

// The legend's weights in words: "dangerous attack 1, corner 2, ..." (lightest first).
export function weightsText(weights) {
  return Object.entries(weights)
    .sort((a, b) => a[1] - b[1])
    .map(([kind, weight]) => `${kind.replaceAll("_", " ")} ${weight}`)
    .join(", ");
}

// ---- drawing ----

const SVG = "http://www.w3.org/2000/svg";
const STEP = 3; // viewBox units a minute: about a pixel per unit in a 20rem side panel
const AXIS = 50; // y of the axis; home's bars rise to TALLEST above it, away's below
const TALLEST = 38;
const HEIGHT = 114; // the graph, then a row of minute labels

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text; // feed strings stay text
  return element;
}

// Minute labels at 0', 15', 30'... of each period's own minutes, and the end of the last.
function axisLabels(columns) {
  const labels = [];
  columns.forEach((column, i) => {
    if (!column.stoppage && column.minute % 15 === 0) labels.push([i * STEP, `${column.minute}'`]);
  });
  const lastRegular = columns.findLastIndex((c) => !c.stoppage);
  const last = columns[lastRegular];
  labels.push([(lastRegular + 1) * STEP, `${PERIOD_ENDS[last.period]}'`]);
  return labels.map(([x, text]) => svg("text", { class: "tick", x, y: HEIGHT - 3 }, text));
}

// A line where one period gives way to the next: half-time, then the breaks before extra
// time and between its halves.
function breakLines(columns) {
  const lines = [];
  columns.forEach((column, i) => {
    if (i === 0 || columns[i - 1].period === column.period) return;
    const css = column.period === 2 ? "break half-time" : "break";
    lines.push(svg("line", { class: css, x1: i * STEP, x2: i * STEP, y1: 2, y2: 2 * AXIS - 2 }));
  });
  return lines;
}

function bars(columns) {
  const drawn = [];
  const heights = Object.fromEntries(SIDES.map((side) => [side, smoothed(columns, side)]));
  const most = Math.max(1, ...heights.home, ...heights.away);
  for (const side of SIDES) {
    heights[side].forEach((value, i) => {
      if (!value) return;
      const height = (TALLEST * value) / most;
      const y = side === "home" ? AXIS - height : AXIS;
      const bar = svg("rect", { class: `bar ${side}`, x: i * STEP + 0.3, y, width: STEP - 0.6, height });
      bar.dataset.minute = columns[i].label;
      bar.dataset.pressure = columns[i][side]; // the raw count; the height is smoothed
      drawn.push(bar);
    });
  }
  return drawn;
}

// Two goals of a side in one minute are stacked towards the axis, not drawn as one.
function goalMarkers(columns, goals, teams) {
  const stacked = new Map();
  return goals.map(({ column, side, label }) => {
    const x = column * STEP + STEP / 2;
    const below = stacked.get(`${column}:${side}`) || 0;
    stacked.set(`${column}:${side}`, below + 1);
    const y = side === "home" ? 6 + 7 * below : 2 * AXIS - 6 - 7 * below;
    const marker = svg("g", { class: `goal ${side}` });
    marker.dataset.minute = label;
    marker.dataset.side = side;
    marker.append(
      svg("line", { x1: x, x2: x, y1: AXIS, y2: y }),
      svg("circle", { cx: x, cy: y, r: 3.2 }),
      svg("title", {}, `Goal, ${label}, ${teams[side]}`),
    );
    return marker;
  });
}

// ``centre``: the match centre's state (centre.js).
export function drawMomentum(page, centre) {
  const panel = page.querySelector("[data-momentum-panel]");
  if (!panel) return;
  const teams = { home: centre.fixture.home_team, away: centre.fixture.away_team };
  const momentum = computeMomentum(centre.actions, centre.rules);
  const summary = momentumSummary(momentum, teams);
  const { columns } = momentum;
  const width = columns.length * STEP;
  const graph = svg("svg", {
    class: "graph",
    viewBox: `0 0 ${width} ${HEIGHT}`,
    role: "img",
    "aria-labelledby": "momentum-graph-title",
    "aria-describedby": "momentum-summary",
  });
  graph.append(
    svg("title", { id: "momentum-graph-title" }, `Momentum minute by minute: ${teams.home} above the line, ${teams.away} below`),
    ...breakLines(columns),
    ...bars(columns),
    svg("line", { class: "axis", x1: 0, x2: width, y1: AXIS, y2: AXIS }),
    ...goalMarkers(columns, momentum.goals, teams),
    ...axisLabels(columns),
  );
  panel.querySelector("[data-momentum]").replaceChildren(graph);
  panel.querySelector("[data-momentum-summary]").textContent = summary;
  // The weights come with the rules, so the legend can only be written here.
  panel.querySelector("[data-momentum-weights]").textContent = weightsText(centre.rules.momentum.weights);
  panel.querySelector("[data-momentum-legend]").hidden = false;
}
