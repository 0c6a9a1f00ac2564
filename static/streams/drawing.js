// The DOM side of the pages' shared pieces: a fixture's badges, kit colours and
// scoreboard, and a timeline row. Nothing here runs on import; what is drawn is decided
// by the pure modules (summary.js, actions.js).

import { badgesOf, periodLabel, periodScores, teamKits } from "./summary.js";

// The page's data, from a <script type="application/json"> block (Django's json_script).
export function readJson(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

export function drawBadges(element, fixture) {
  element.replaceChildren(...badgesOf(fixture).map(([css, text]) => {
    const badge = document.createElement("span");
    badge.className = `badge ${css}`;
    badge.textContent = text;
    return badge;
  }));
}

// The feed notice (freshness.js feedView): hidden when there is nothing to say.
export function drawFeed(element, view) {
  if (!element) return;
  element.dataset.feed = view.state;
  if (element.textContent !== view.text) element.textContent = view.text;
  element.hidden = !view.text;
}

// ``colours``: one side of summary.js teamKits(); a team whose colours are not known yet
// keeps its kit dot hidden.
export function paintKit(element, colours) {
  if (!colours || !colours.known) return;
  element.style.setProperty("--kit", colours.kit);
  element.style.setProperty("--kit-ink", colours.ink);
  element.classList.add("painted");
}

// Plays a score's "changed" animation again, from the start.
export function flashChanged(element) {
  element.classList.remove("changed");
  void element.offsetWidth; // restart the animation
  element.classList.add("changed");
}

// The match page's header and score by period. ``changed``: the fixture arrived live,
// so a new score is shown as one.
// ``kicks``: the shootout's (shootout.js shootoutKicks), for a winner the feed gave no
// shootout score for.
export function drawScoreboard(page, fixture, previous, changed, kicks = []) {
  const home = page.querySelector("[data-score-home]");
  const away = page.querySelector("[data-score-away]");
  if (changed && (fixture.home_score !== previous.home_score || fixture.away_score !== previous.away_score)) {
    flashChanged(page.querySelector("[data-score]"));
  }
  home.textContent = fixture.home_score;
  away.textContent = fixture.away_score;
  page.querySelector("[data-period]").textContent = periodLabel(fixture, kicks);
  drawBadges(page.querySelector("[data-badges]"), fixture);
  const kits = teamKits(fixture.home_colour, fixture.away_colour);
  for (const side of ["home", "away"]) {
    page.querySelectorAll(`.team.${side}`).forEach((element) => paintKit(element, kits[side]));
    page.style.setProperty(`--${side}-kit`, kits[side].kit); // the bars, adjusted as a pair
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

// Fills a timeline <li> (the template's, or the one the server drew) from the action's
// row, as the server draws it (templates/streams/fixture_detail.html). ``fresh``: it just
// arrived, and is highlighted for a moment.
export function drawRow(li, action, fresh) {
  const row = action.row;
  const classes = [row.side, row.state, row.key && "key", row.divider && "divider", !row.sentence && "routine"];
  li.className = `action ${classes.filter(Boolean).join(" ")}${fresh ? " fresh" : ""}`;
  li.dataset.kind = row.kind;
  const minute = li.querySelector(".t");
  minute.textContent = row.minute;
  if (row.clock) minute.title = row.clock;
  else minute.removeAttribute("title");
  li.querySelector("use").setAttribute("href", `#i-${row.icon}`);
  li.querySelector(".title").textContent = row.title;
  li.querySelector(".who").textContent = row.who;
  li.querySelector(".said").textContent = row.sentence || "";
  li.querySelector(".late").hidden = !row.delayed;
  li.querySelector(".note").textContent = row.note;
  if (fresh) setTimeout(() => li.classList.remove("fresh"), 2000);
  return li;
}
