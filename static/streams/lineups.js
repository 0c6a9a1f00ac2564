// The lineups and match info panels. streams/meaning/lineups.py reads the Lineups and Match
// Conditions actions once: the page embeds the newest of each ("panels-data", read into
// centre.panels) and the rows of live ones carry what they say as ``row.panel``. Here the
// newest of those is chosen, the starters are drawn as a formation where every position
// gives a line (lists otherwise), and goals, cards and substitutions are marked on the
// players from the actions shown. Every text from the feed goes in with textContent.

export const LINES = ["goalkeeper", "defence", "midfield", "attack"];
const LINE_NAMES = { goalkeeper: "Goalkeeper", defence: "Defenders", midfield: "Midfielders", attack: "Forwards" };

// streams/meaning/minutes.py, for the actions the page was rendered with (their table
// carries the period and clock, not the row's minute): 17', 45+2', "" in a shootout.
const PERIOD_ENDS = { 1: 45, 2: 90, 3: 105, 4: 120 };
const EXTRA_TIME_STARTS = 90 * 60;

export function clockSeconds(clock) {
  const found = /^(\d{1,3}):([0-5]\d)$/.exec(clock || "");
  return found ? Number(found[1]) * 60 + Number(found[2]) : null;
}

export function fanMinute(period, clock) {
  const seconds = clockSeconds(clock);
  if (!period || seconds === null) return "";
  if (period >= 3 && (!(period in PERIOD_ENDS) || seconds < EXTRA_TIME_STARTS)) return ""; // a shootout
  const minute = Math.floor(seconds / 60) + 1;
  const end = PERIOD_ENDS[period];
  return minute > end ? `${end}+${minute - end}'` : `${minute}'`;
}

// The newest lineup of each side and the newest conditions, in timeline order: a live
// action carries its own ``row.panel``; one the page was rendered with has only the panel
// the server chose for the page, if it is that one. A removed action's panel is not used.
export function chooseLineups(panels, order, actions) {
  const fromPage = new Map();
  for (const lineup of Object.values((panels && panels.lineups) || {})) {
    if (lineup && lineup.action_id) fromPage.set(lineup.action_id, { lineup });
  }
  const pageConditions = panels && panels.conditions;
  if (pageConditions && pageConditions.action_id) fromPage.set(pageConditions.action_id, { conditions: pageConditions });
  const lineups = { home: null, away: null };
  let conditions = null;
  for (const id of order) {
    const action = actions.get(id);
    if (!action) continue;
    const panel = action.row && action.row.panel !== undefined ? action.row.panel : fromPage.get(id);
    if (!panel || action.removed) continue;
    const lineup = panel.lineup;
    if (lineup && (lineup.side === "home" || lineup.side === "away")) lineups[lineup.side] = lineup;
    if (panel.conditions) conditions = panel.conditions;
  }
  return { lineups, conditions };
}

// A lineup's players as the panel draws them: starters in lines when every starter's
// position gives one (``lines``, goalkeeper first, and the shape, "4-4-2"), else lists;
// a lineup that says nobody's start is one squad.
export function formation(lineup) {
  const players = (lineup && lineup.players) || [];
  if (!players.some((p) => p.starter === true || p.starter === false)) {
    return { starters: [], bench: [], squad: players, lines: null, shape: "" };
  }
  const starters = players.filter((p) => p.starter);
  const bench = players.filter((p) => !p.starter);
  const onPitch = starters.length > 0 && starters.length <= 11 && starters.every((p) => LINES.includes(p.line));
  if (!onPitch) return { starters, bench, squad: [], lines: null, shape: "" };
  const lines = LINES.map((line) => ({ line, players: starters.filter((p) => p.line === line) }));
  const shape = lines.slice(1).map((l) => l.players.length).filter(Boolean).join("-");
  return { starters, bench, squad: [], lines: lines.filter((l) => l.players.length), shape };
}

const MARKS = {
  goal: { mark: "goal", icon: "goal", label: "Goal" },
  yellow_card: { mark: "yellow", icon: "yellow", label: "Yellow card" },
  red_card: { mark: "red", icon: "red", label: "Red card" },
  substitution_off: { mark: "off", icon: "sub-off", label: "Substituted off" },
  substitution_on: { mark: "on", icon: "sub-on", label: "Came on" },
};

function sideOf(action) {
  if (action.team_is_home === true) return "home";
  return action.team_is_home === false ? "away" : null;
}

// Player id (as a lower-case string) -> what happened to them, in timeline order: goals,
// cards and substitutions, removed actions left out.
export function playerMarkers(order, actions) {
  const marks = new Map();
  for (const id of order) {
    const action = actions.get(id);
    const kind = action && action.row && action.row.kind;
    if (!MARKS[kind] || action.removed || action.player_id === null || action.player_id === undefined) continue;
    const player = String(action.player_id).toLowerCase();
    if (!player) continue; // no player: the store keeps "" for none
    const minute = typeof action.row.minute === "string" ? action.row.minute : fanMinute(action.period, action.clock_time);
    const mark = { ...MARKS[kind], minute, side: sideOf(action), provisional: action.row.state === "pending" };
    if (!marks.has(player)) marks.set(player, []);
    marks.get(player).push(mark);
  }
  return marks;
}

// A player's marks as the panel says them: a goal credited to the other side is an own goal.
export function marksOf(player, side, marks) {
  const found = player.id === null || player.id === undefined ? null : marks.get(String(player.id).toLowerCase());
  return (found || []).map((mark) => {
    const own = mark.mark === "goal" && mark.side && mark.side !== side;
    const label = own ? "Own goal" : mark.label;
    return { ...mark, mark: own ? "own-goal" : mark.mark, label: mark.provisional ? `${label} (provisional)` : label };
  });
}

// "James Andersen" -> "Andersen": the pitch has room for one name.
export function shortName(name) {
  const words = String(name || "").trim().split(/\s+/);
  return words[words.length - 1] || "";
}

function element(tag, className, text) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const use = document.createElementNS("http://www.w3.org/2000/svg", "use");
  use.setAttribute("href", `#i-${name}`);
  svg.append(use);
  return svg;
}

function drawMarks(player, side, marks) {
  const found = marksOf(player, side, marks);
  if (!found.length) return null;
  const holder = element("span", "marks");
  for (const mark of found) {
    const span = element("span", `mark ${mark.mark}${mark.provisional ? " provisional" : ""}`);
    span.dataset.mark = mark.mark;
    span.title = mark.minute ? `${mark.label} ${mark.minute}` : mark.label;
    span.append(icon(mark.icon), element("span", "sr", `${mark.label} `));
    if (mark.minute) span.append(element("span", "min", mark.minute));
    holder.append(span);
  }
  return holder;
}

function playerItem(player, side, marks, onPitch) {
  const li = element("li", "player");
  if (player.id !== null && player.id !== undefined) li.dataset.playerId = player.id;
  li.append(element("span", onPitch ? "shirt" : "no", player.number || ""));
  if (onPitch) {
    const name = element("span", "name");
    name.title = player.name;
    const short = element("span", "", shortName(player.name));
    short.setAttribute("aria-hidden", "true");
    name.append(short, element("span", "sr", player.name));
    li.append(name);
  } else {
    li.append(" ", element("span", "name", player.name));
    if (player.position) li.append(" ", element("span", "pos", player.position));
  }
  const drawn = drawMarks(player, side, marks);
  if (drawn) li.append(drawn);
  return li;
}

function playerList(players, side, marks, className) {
  const list = element("ol", className);
  list.append(...players.map((p) => playerItem(p, side, marks, false)));
  return list;
}

function drawTeam(side, name, lineup, marks) {
  const section = element("section", `lineup ${side}`);
  section.dataset.lineup = side;
  section.setAttribute("aria-labelledby", `lineup-${side}-title`);
  const shown = formation(lineup);
  const heading = element("h3", "", name);
  heading.id = `lineup-${side}-title`;
  if (shown.shape) heading.append(" ", element("span", "shape", shown.shape));
  section.append(heading);
  if (shown.squad.length) {
    section.append(element("h4", "", "Squad"), playerList(shown.squad, side, marks, "players"));
    return section;
  }
  section.append(element("h4", "", "Starting eleven"));
  if (shown.lines) {
    const pitch = element("ol", "pitch");
    pitch.dataset.shape = shown.shape;
    pitch.setAttribute("aria-label", `Starting eleven of ${name}${shown.shape ? `, ${shown.shape}` : ""}`);
    for (const { line, players } of shown.lines) {
      const row = element("li", `line ${line}`);
      const inLine = element("ol");
      inLine.setAttribute("aria-label", LINE_NAMES[line]);
      inLine.append(...players.map((p) => playerItem(p, side, marks, true)));
      row.append(inLine);
      pitch.append(row);
    }
    section.append(pitch);
  } else {
    section.append(playerList(shown.starters, side, marks, "players"));
  }
  if (shown.bench.length) section.append(element("h4", "", "Substitutes"), playerList(shown.bench, side, marks, "players bench"));
  return section;
}

function drawConditions(page, conditions) {
  for (const row of page.querySelectorAll("[data-condition]")) {
    const text = (conditions && conditions[row.dataset.condition]) || "";
    const dd = row.querySelector("dd");
    if (dd.textContent !== text) dd.textContent = text;
    row.hidden = !text;
  }
}

// Redrawn after every burst of changes; the DOM is left alone when nothing it shows changed.
const drawnFrom = new WeakMap(); // the panel's element -> what it was last drawn from

export function drawLineups(page, centre) {
  const holder = page.querySelector("[data-lineups]");
  if (!holder) return;
  const { lineups, conditions } = chooseLineups(centre.panels, centre.order, centre.actions);
  const marks = playerMarkers(centre.order, centre.actions);
  drawConditions(page, conditions);
  const names = { home: centre.fixture.home_team, away: centre.fixture.away_team };
  const from = JSON.stringify([lineups, names, [...marks]]);
  if (drawnFrom.get(holder) === from) return;
  drawnFrom.set(holder, from);
  const teams = ["home", "away"].filter((side) => lineups[side]).map((side) => drawTeam(side, names[side], lineups[side], marks));
  holder.replaceChildren(...(teams.length ? teams : [element("p", "empty", "No lineup yet.")]));
}
