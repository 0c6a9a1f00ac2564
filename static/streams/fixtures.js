// Fixture list: scores, clocks and statuses from /ws/fixtures/, rows moving between
// "live now", "upcoming" and "recently finished" as matches start and end, and within
// each, grouped by the day of kick-off in the viewer's own time zone (times.js).
import { MatchClock } from "./clock.js";
import { drawBadges, drawFeed, flashChanged, paintKit, readJson } from "./drawing.js";
import { feedView, serverSkewMs } from "./freshness.js";
import { liveSocket, setConnection, statusText } from "./socket.js";
import { sectionOf, teamKits } from "./summary.js";
import { addDays, dayKey, dayLabel, localiseTime, viewerZone } from "./times.js";

function countdown(kickoff) {
  const seconds = Math.round((Date.parse(kickoff) - Date.now()) / 1000);
  if (!(seconds > 0)) return "kick-off due";
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor((seconds % 86400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (days) return `in ${days} d ${hours} h`;
  if (hours) return `in ${hours} h ${String(minutes).padStart(2, "0")} min`;
  return `in ${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
}

// A day's page names its zone in ``tz``: the viewer's own, so that "today" is their today.
// Arriving without it (or with someone else's, from a shared link), ask again with it.
function redirectToOwnZone(page, zone) {
  if (!page.dataset.day) return false;
  const query = new URLSearchParams(location.search);
  if (query.get("tz") === zone) return false;
  query.set("tz", zone);
  location.replace(`?${query}`);
  return true;
}

// The live board's day links, drawn in the server's zone: aimed at the viewer's days.
function aimDayLinks(zone) {
  const today = dayKey(Date.now(), zone);
  for (const link of document.querySelectorAll("[data-day-nav] [data-day-offset]")) {
    const query = new URLSearchParams({ day: addDays(today, Number(link.dataset.dayOffset)), tz: zone });
    link.href = `?${query}`;
  }
}

function bootFixtureList(page) {
  const zone = viewerZone();
  if (redirectToOwnZone(page, zone)) return;
  if (page.dataset.zone !== zone) aimDayLinks(zone);
  for (const name of document.querySelectorAll("[data-zone-name]")) name.textContent = zone;
  const template = document.getElementById("fixture-row").content.firstElementChild;
  const groupTemplate = document.getElementById("day-group").content.firstElementChild;
  // A day's page keeps to its day: the scoreboard also sends the days around it.
  const from = Date.parse(page.dataset.dayFrom);
  const until = Date.parse(page.dataset.dayUntil);
  const onPage = (fixture) => !page.dataset.day || (Date.parse(fixture.kickoff) >= from && Date.parse(fixture.kickoff) < until);
  const connection = document.querySelector("[data-connection]");
  const fixtures = new Map();
  const rows = new Map();
  const clocks = new Map();
  const skew = serverSkewMs(page.dataset.renderedAt, Date.now());
  for (const li of page.querySelectorAll("[data-fixture-id]")) rows.set(li.dataset.fixtureId, li);

  const field = (li, name) => li.querySelector(`[data-field="${name}"]`);

  // Live and upcoming by kick-off, finished ones the most recent first (as the server).
  const newestFirst = (section) => section === "finished";

  // The <ol> of ``section`` for ``day``, made (in day order) if the section has none yet.
  function listFor(section, day) {
    const element = page.querySelector(`[data-section="${section}"]`);
    const groups = [...element.querySelectorAll("[data-day-group]")];
    const found = groups.find((group) => group.dataset.dayGroup === day);
    if (found) return found.querySelector("[data-section-list]");
    const group = groupTemplate.cloneNode(true);
    group.dataset.dayGroup = day;
    group.querySelector("[data-section-list]").dataset.sectionList = section;
    const after = (other) => (newestFirst(section) ? other.dataset.dayGroup < day : other.dataset.dayGroup > day);
    element.insertBefore(group, groups.find(after) || element.querySelector("[data-empty]"));
    return group.querySelector("[data-section-list]");
  }

  // Headings in the viewer's words and zone; a group left without rows goes.
  function tidyGroups() {
    const today = dayKey(Date.now(), zone);
    for (const group of page.querySelectorAll("[data-day-group]")) {
      if (!group.querySelector("[data-fixture-id]")) group.remove();
      else group.querySelector(".day").textContent = dayLabel(group.dataset.dayGroup, today);
    }
    for (const empty of page.querySelectorAll("[data-empty]")) {
      const own = page.querySelector(`[data-section="${empty.dataset.empty}"]`);
      empty.hidden = own.querySelector("[data-fixture-id]") !== null;
    }
  }

  function place(fixture, li) {
    const section = sectionOf(fixture);
    const target = listFor(section, dayKey(fixture.kickoff, zone));
    li.dataset.section = section;
    const later = (other) => {
      const a = Date.parse(fixture.kickoff);
      const b = Date.parse(field(other, "kickoff").dateTime);
      return newestFirst(section) ? b < a : b > a;
    };
    const next = [...target.children].find((other) => other !== li && later(other)) || null;
    if (li.parentElement !== target || li.nextElementSibling !== next) target.insertBefore(li, next);
    tidyGroups();
  }

  function draw(fixture) {
    if (!fixtures.has(fixture.id) && !onPage(fixture)) return;
    const previous = fixtures.get(fixture.id);
    fixtures.set(fixture.id, fixture);
    let li = rows.get(fixture.id);
    if (!li) {
      li = template.cloneNode(true);
      li.dataset.fixtureId = fixture.id;
      rows.set(fixture.id, li);
    }
    const section = sectionOf(fixture);
    field(li, "link").href = `/fixtures/${fixture.id}/`;
    const kickoff = field(li, "kickoff");
    kickoff.dateTime = fixture.kickoff;
    localiseTime(kickoff, { timeZone: zone });
    field(li, "home_team").textContent = fixture.home_team;
    field(li, "away_team").textContent = fixture.away_team;
    // The competition is the server's (a fixture's payload does not carry it): a row keeps
    // the one it was drawn with, a row made live shows none until the page is loaded again.
    if (typeof fixture.competition === "string") field(li, "competition").textContent = fixture.competition;
    const kits = teamKits(fixture.home_colour, fixture.away_colour);
    paintKit(field(li, "home_kit"), kits.home);
    paintKit(field(li, "away_kit"), kits.away);
    const score = field(li, "score");
    score.textContent = section === "upcoming" ? "v" : `${fixture.home_score}–${fixture.away_score}`;
    if (previous && (previous.home_score !== fixture.home_score || previous.away_score !== fixture.away_score)) {
      flashChanged(score);
    }
    drawBadges(field(li, "badges"), fixture);
    if (!clocks.has(fixture.id)) clocks.set(fixture.id, new MatchClock());
    clocks.get(fixture.id).follow(fixture, null);
    place(fixture, li);
    tick(fixture.id);
  }

  function tick(id) {
    const fixture = fixtures.get(id);
    const li = rows.get(id);
    const section = sectionOf(fixture);
    // The feed's state, for live matches: a notice, and the clock held while not live.
    const view = feedView(fixture.feed, Date.now() + skew);
    const live = section === "live";
    drawFeed(field(li, "feed"), live ? view : { state: view.state, text: "" });
    li.dataset.feed = view.state;
    clocks.get(id).hold(live && !view.live);
    field(li, "clock").textContent = live ? clocks.get(id).text() : "";
    field(li, "countdown").textContent = section === "upcoming" ? countdown(fixture.kickoff) : "";
  }

  for (const fixture of readJson("fixtures-data") || []) draw(fixture);
  setInterval(() => fixtures.forEach((_, id) => tick(id)), 1000);

  const socket = liveSocket(() => "/ws/fixtures/", {
    onMessage(message) {
      if (message.type === "scoreboard") {
        (message.fixtures || []).forEach(draw);
        setConnection(connection, "live", "connected");
      } else if (message.type === "score" && message.fixture) {
        draw(message.fixture);
      } else if (message.type === "feed" && fixtures.has(message.fixture_id)) {
        const id = message.fixture_id;
        fixtures.set(id, { ...fixtures.get(id), feed: message.feed });
        tick(id);
      }
    },
    onStatus: (state, delay) => setConnection(connection, ...statusText(state, delay)),
  });
  window.fixtureList = { fixtures, drop: () => socket.drop() };
}

const list = document.querySelector("[data-fixture-list]");
if (list) bootFixtureList(list);
