// Match centre: the history the page was rendered with, then every change from the websocket
// (docs/live-protocol.md). Also exports the live helpers fixtures.js shares.
//
// What an action means is decided on the server (streams/meaning/): every action comes with
// its timeline ``row`` (kind, icon, title, who, note, key, side), drawn here as given. What
// must be counted live (stats, momentum, the clock) is counted by kind, with the rules the
// page sends as "stats-rules" (streams/meaning/drawing.py). Badges and period labels
// mirror streams/views.py.

const LIVE_STATUSES = ["Live", "Suspended"];
const ENDED_STATUSES = ["Completed", "Abandoned", "Cancelled", "Postponed", "Unverified"];
// Whatever the page says, a running clock is not guessed further than this past its last
// packet: a feed that went quiet for longer is stalled, not playing on.
const MAX_CLOCK_GUESS_SECONDS = 300;

export function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

// ---- a fixture's summary, as the list and the match page show it ----

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

export function drawBadges(element, fixture) {
  element.replaceChildren(...badgesOf(fixture).map(([css, text]) => {
    const badge = document.createElement("span");
    badge.className = `badge ${css}`;
    badge.textContent = text;
    return badge;
  }));
}

const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1);

export function periodLabel(fixture) {
  const periods = periodsOf(fixture);
  if (fixture.finished || fixture.status === "Completed") {
    return periods.some((p) => p.type === "Shootout") ? "After penalties" : "Full time";
  }
  if (atBreak(fixture)) return periods[periods.length - 1].id === 1 ? "Half-time" : "End of normal time";
  const current = periods.find((p) => p.id === fixture.current_period);
  if (current && current.label) return capitalise(String(current.label));
  return fixture.status === "Scheduled" ? "Not started" : "";
}

function periodScores(periods) {
  return (Array.isArray(periods) ? periods : []).map((p) => {
    if (p.type === "Shootout") return ["Penalties", `${p.home_period_score || 0}–${p.away_period_score || 0}`];
    let label = capitalise(String(p.label || `Period ${p.id}`));
    if (p.end) label = { 1: "Half-time", 2: "Full time" }[p.id] || label;
    return [label, `${p.home_score || 0}–${p.away_score || 0}`];
  });
}

// Kit colours arrive as "R, G, B" (Team Colours); names are drawn on their kit colour.
export function kitColours(rgb) {
  const parts = String(rgb || "").split(",").map((n) => Number.parseInt(n, 10));
  if (parts.length !== 3 || parts.some((n) => !(n >= 0 && n <= 255))) return null;
  const [r, g, b] = parts;
  const light = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 > 0.55;
  return { kit: `rgb(${r} ${g} ${b})`, ink: light ? "#111" : "#fff" };
}

export function paintKit(element, rgb) {
  const colours = kitColours(rgb);
  if (!colours) return;
  element.style.setProperty("--kit", colours.kit);
  element.style.setProperty("--kit-ink", colours.ink);
  element.classList.add("painted");
}

// ---- the match clock: runs in the browser between packets ----

export function parseClock(text) {
  const match = /^(\d+):(\d{2})$/.exec(text || "");
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

export function formatClock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  return `${String(Math.floor(whole / 60)).padStart(2, "0")}:${String(whole % 60).padStart(2, "0")}`;
}

// The kinds of an action's row that start, stop and correct the clock ("stats-rules").
const kindOf = (action) => (action && action.row ? action.row.kind : null);

export class MatchClock {
  constructor(kinds = {}) {
    this.kinds = kinds; // {start, stop, adjust}: kind names from streams/meaning/drawing.py
    this.base = null;
    this.running = false;
    this.at = performance.now();
  }

  // ``behindSeconds``: how long before now the clock read ``seconds``.
  set(seconds, running, behindSeconds = 0) {
    if (seconds === this.base && running === this.running) return;
    this.base = seconds;
    this.running = running;
    this.at = performance.now() - Math.min(Math.max(behindSeconds, 0), MAX_CLOCK_GUESS_SECONDS) * 1000;
  }

  // Clock actions decide when they arrive: a summary may leave the clock out, and the
  // fixture then still says what it said before them. Otherwise the summary says.
  follow(fixture, action, behindSeconds = 0) {
    const kind = kindOf(action);
    const actionClock = action ? parseClock(action.clock_time) : null;
    let seconds = parseClock(fixture.clock_time);
    let running = fixture.clock_state ? fixture.clock_state === "running" : this.running;
    if (kind && (kind === this.kinds.start || kind === this.kinds.stop)) {
      running = kind === this.kinds.start;
      if (actionClock !== null) seconds = actionClock;
    } else if (kind && kind === this.kinds.adjust) {
      // The action's clock time is the corrected one; without it, apply the correction.
      // A correction neither starts nor stops the clock.
      const by = Number((action.metadata || {}).adjustmentSeconds) || 0;
      seconds = actionClock !== null ? actionClock : this.base === null ? seconds : this.now() + by;
      if (this.base !== null) running = this.running;
    }
    if (seconds === null) return;
    this.set(seconds, running && !fixture.finished, behindSeconds);
  }

  now() {
    if (this.base === null) return null;
    return this.base + (this.running ? (performance.now() - this.at) / 1000 : 0);
  }

  text() {
    const now = this.now();
    return now === null ? "" : formatClock(now);
  }
}

// ---- a websocket that reconnects by itself ----

export function setConnection(element, state, text) {
  if (!element) return;
  element.hidden = false; // hidden until JavaScript runs: without it nothing is live
  element.dataset.connection = state;
  element.querySelector(".text").textContent = text;
}

export function liveSocket(path, { onMessage, onStatus }) {
  let socket = null;
  let attempts = 0;
  let timer = null;
  let stopped = false;
  const url = () => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path()}`;

  function open() {
    timer = null;
    onStatus("connecting");
    const ws = new WebSocket(url());
    socket = ws;
    ws.addEventListener("message", (event) => {
      attempts = 0;
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      onMessage(message);
    });
    ws.addEventListener("close", (event) => {
      if (socket !== ws) return;
      socket = null;
      if (stopped) return;
      if (event.code === 4404 || event.code === 4400) {
        onStatus("refused");
        return;
      }
      retry();
    });
  }

  function retry() {
    // Backoff with jitter, so a restarted server is not hit by every viewer at once.
    const delay = Math.min(15000, 500 * 2 ** attempts) * (0.8 + Math.random() * 0.4);
    attempts += 1;
    onStatus("reconnecting", delay);
    timer = setTimeout(open, delay);
  }

  const reopenNow = () => {
    if (stopped || socket) return;
    clearTimeout(timer);
    open();
  };
  window.addEventListener("online", reopenNow);
  window.addEventListener("pagehide", () => { stopped = true; clearTimeout(timer); if (socket) socket.close(1000); });
  window.addEventListener("pageshow", (event) => { if (event.persisted) { stopped = false; reopenNow(); } });
  open();
  return {
    // Closes the connection as a network failure would: the socket comes back by itself.
    drop() { if (socket) socket.close(4000, "dropped"); },
    stop() { stopped = true; clearTimeout(timer); if (socket) socket.close(1000); },
  };
}

export function statusText(state, delay) {
  if (state === "connecting") return ["connecting", "Connecting…"];
  if (state === "reconnecting") return ["reconnecting", `Reconnecting in ${Math.ceil(delay / 1000)} s`];
  if (state === "refused") return ["offline", "Not available live"];
  return [state, state];
}

// ---- the match centre ----

function bootMatchCentre(page) {
  const rules = readJson("stats-rules") || { counts: [], clock: {} };
  const template = document.getElementById("action-row").content.firstElementChild;
  const timeline = page.querySelector("[data-timeline]");
  const connection = page.querySelector("[data-connection]");
  const centre = {
    fixture: readJson("fixture-data"),
    actions: new Map(),
    rows: new Map(),
    order: [],
    last: Number(page.dataset.lastPosition),
    after: null,
    clock: new MatchClock(rules.clock),
    rules,
    log: [],
  };
  for (const action of readJson("actions-data") || []) {
    centre.actions.set(action.action_id, action);
    centre.order.push(action.action_id);
  }
  for (const li of timeline.children) centre.rows.set(li.dataset.actionId, li);

  const compare = (a, b) => {
    for (const key of ["timeline_sequence", "fixture_seq_num", "first_position"]) {
      const x = a[key];
      const y = b[key];
      if (x === y) continue;
      if (x === null || x === undefined) return 1; // Postgres sorts NULLs last
      if (y === null || y === undefined) return -1;
      return x - y;
    }
    return 0;
  };

  function drawRow(action, fresh) {
    let li = centre.rows.get(action.action_id);
    if (!li) {
      li = template.cloneNode(true);
      li.dataset.actionId = action.action_id;
      centre.rows.set(action.action_id, li);
    }
    const row = action.row;
    li.className = `action ${row.side} ${row.state}${row.key ? " key" : ""}${fresh ? " fresh" : ""}`;
    li.dataset.kind = row.kind;
    li.querySelector(".t").textContent = row.clock;
    li.querySelector("use").setAttribute("href", `#i-${row.icon}`);
    li.querySelector(".title").textContent = row.title;
    li.querySelector(".who").textContent = row.who;
    li.querySelector(".late").hidden = !row.delayed;
    li.querySelector(".note").textContent = row.note;
    if (fresh) setTimeout(() => li.classList.remove("fresh"), 2000);
    return li;
  }

  // Rows stay in the server's order (timeline_sequence): a new version may move its row,
  // but the element is the same one, changed in place.
  function place(action, li) {
    const at = centre.order.indexOf(action.action_id);
    if (at !== -1) centre.order.splice(at, 1);
    let low = 0;
    let high = centre.order.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compare(centre.actions.get(centre.order[mid]), action) <= 0) low = mid + 1;
      else high = mid;
    }
    centre.order.splice(low, 0, action.action_id);
    const next = low + 1 < centre.order.length ? centre.rows.get(centre.order[low + 1]) : null;
    if (at !== low || !li.isConnected) timeline.insertBefore(li, next);
  }

  function applyAction(action, fresh = true) {
    const known = centre.actions.has(action.action_id);
    centre.actions.set(action.action_id, action);
    place(action, drawRow(action, fresh));
    if (!known) page.querySelector("[data-timeline-empty]").hidden = true;
  }

  function drawFixture(fixture, changed) {
    const previous = centre.fixture;
    centre.fixture = fixture;
    const home = page.querySelector("[data-score-home]");
    const away = page.querySelector("[data-score-away]");
    if (changed && (fixture.home_score !== previous.home_score || fixture.away_score !== previous.away_score)) {
      const score = page.querySelector("[data-score]");
      score.classList.remove("changed");
      void score.offsetWidth; // restart the animation
      score.classList.add("changed");
    }
    home.textContent = fixture.home_score;
    away.textContent = fixture.away_score;
    page.querySelector("[data-period]").textContent = periodLabel(fixture);
    drawBadges(page.querySelector("[data-badges]"), fixture);
    for (const side of ["home", "away"]) {
      const colour = fixture[`${side}_colour`];
      page.querySelectorAll(`.team.${side}`).forEach((element) => paintKit(element, colour));
      const colours = kitColours(colour);
      if (colours) page.style.setProperty(`--${side}-kit`, colours.kit);
    }
    const periods = periodScores(fixture.periods);
    page.querySelector("[data-periods]").replaceChildren(...(periods.length ? periods : [["Not started", ""]])
      .map(([label, score]) => {
        const pair = document.createElement("div");
        const dt = document.createElement("dt");
        const dd = document.createElement("dd");
        dt.textContent = label;
        dd.textContent = score;
        pair.append(dt, dd);
        return pair;
      }));
  }

  function tick() {
    page.querySelector("[data-clock]").textContent = centre.fixture.current_period ? centre.clock.text() : "";
  }

  let derivedPending = false;
  function drawDerivedSoon() {
    if (derivedPending) return;
    derivedPending = true;
    setTimeout(() => {
      derivedPending = false;
      drawStats(page, centre);
      drawMomentum(page, centre);
    }, 50);
  }

  let socket = null;
  function onMessage(message) {
    // Every message as received, with the position shown before it: a snapshot covers
    // (before, position], a change its own position (the test suite checks the coverage).
    centre.log.push({ type: message.type, position: message.position, before: centre.last, after: centre.after });
    if (message.type === "snapshot") {
      for (const action of message.actions || []) applyAction(action);
      drawFixture(message.fixture, true);
      centre.clock.follow(message.fixture, null);
      if (message.position > centre.last) centre.last = message.position;
      setConnection(connection, "live", "Live");
    } else if (message.type === "change") {
      if (message.position <= centre.last) return; // already shown
      if (message.position !== centre.last + 1) {
        socket.drop(); // a gap: resume from the last position shown
        return;
      }
      applyAction(message.action);
      // Rows this change redraws: a goal that a Goal Disallowed, arriving after it, explains.
      for (const other of message.related || []) applyAction(other, false);
      drawFixture(message.fixture, true);
      centre.clock.follow(message.fixture, message.action);
      centre.last = message.position;
    } else {
      return;
    }
    tick();
    drawDerivedSoon();
    if (centre.fixture.finished) {
      socket.stop();
      setConnection(connection, "finished", "Match over");
    }
  }

  // On load the clock read fixture.clock_time when the newest packet was sent.
  let newest = null;
  for (const action of centre.actions.values()) {
    if (!newest || action.last_position > newest.last_position) newest = action;
  }
  const renderedAt = Date.parse(page.dataset.renderedAt);
  const sentAt = newest && newest.timestamp ? Date.parse(newest.timestamp) : renderedAt;
  drawFixture(centre.fixture, false);
  centre.clock.follow(centre.fixture, null, (renderedAt - sentAt) / 1000);
  tick();
  drawStats(page, centre);
  drawMomentum(page, centre);
  page.querySelector("[data-stats]").hidden = false;
  page.querySelector("[data-momentum-panel]").hidden = false;
  setInterval(tick, 250);

  if (centre.fixture.finished) {
    setConnection(connection, "finished", "Match over");
  } else {
    socket = liveSocket(() => {
      centre.after = centre.last;
      return `/ws/fixtures/${page.dataset.fixtureId}/?after=${centre.last}`;
    }, {
      onMessage,
      onStatus: (state, delay) => setConnection(connection, ...statusText(state, delay)),
    });
  }
  // For tests and for curious people at the console.
  window.matchCentre = {
    centre,
    log: centre.log,
    get last() { return centre.last; },
    get drawing() { return derivedPending; }, // stats and momentum are about to be redrawn
    drop: () => socket && socket.drop(),
  };
}

// ---- stats and momentum, from the actions (one implementation, redrawn on each change) ----

const sideOf = (action) => (action.team_is_home === true ? "home" : action.team_is_home === false ? "away" : null);

// ``rules``: the page's "stats-rules" (streams/meaning/drawing.py STATS_RULES).
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

function drawStats(page, centre) {
  const { rules } = centre;
  const { counts, possession } = computeStats(centre.actions, centre.fixture.current_period, centre.clock.now(), rules);
  const rows = [["Possession", null], ...rules.counts].map(([label, type]) => {
    const [home, away] = type === null
      ? (possession === null ? ["–", "–"] : [`${possession}%`, `${100 - possession}%`])
      : [counts.home[type] || 0, counts.away[type] || 0];
    const tr = document.createElement("tr");
    tr.dataset.stat = label;
    const cells = [["td", home, "home"], ["th", label, "label"], ["td", away, "away"]].map(([tag, text, css]) => {
      const cell = document.createElement(tag);
      cell.className = css;
      cell.textContent = text;
      return cell;
    });
    const homeShare = type === null ? possession ?? 50 : share(counts.home[type], counts.away[type]);
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.setProperty("--home-share", `${homeShare}%`);
    cells[1].append(bar);
    tr.append(...cells);
    return tr;
  });
  page.querySelector("[data-stats-rows]").replaceChildren(...rows);
}

const share = (home = 0, away = 0) => (home + away ? (100 * home) / (home + away) : 50);

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

function drawMomentum(page, centre) {
  const buckets = computeMomentum(centre.actions, centre.rules);
  const most = Math.max(1, ...buckets.map((b) => Math.max(b.home, b.away)));
  const columns = buckets.map((bucket) => {
    const column = document.createElement("div");
    column.className = `bucket period-${bucket.period}`;
    const from = bucket.index * 5;
    column.title = `${from}'–${from + 5}': ${bucket.home} v ${bucket.away}`;
    for (const side of ["home", "away"]) {
      const bar = document.createElement("span");
      bar.className = `bar ${side}`;
      bar.style.height = `${(50 * bucket[side]) / most}%`;
      column.append(bar);
    }
    return column;
  });
  page.querySelector("[data-momentum]").replaceChildren(...columns);
}

// Last, so every constant above is initialised before the page boots.
const root = document.querySelector("[data-match-centre]");
if (root) bootMatchCentre(root);
