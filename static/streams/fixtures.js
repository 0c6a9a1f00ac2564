// Fixture list: scores, clocks and statuses from /ws/fixtures/, rows moving between
// "live now", "upcoming" and "recently finished" as matches start and end.
import { MatchClock } from "./clock.js";
import { drawBadges, drawFeed, flashChanged, paintKit, readJson } from "./drawing.js";
import { feedView, serverSkewMs } from "./freshness.js";
import { liveSocket, setConnection, statusText } from "./socket.js";
import { sectionOf, teamKits } from "./summary.js";

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

const kickoffFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
});

function bootFixtureList(page) {
  const template = document.getElementById("fixture-row").content.firstElementChild;
  const connection = document.querySelector("[data-connection]");
  const fixtures = new Map();
  const rows = new Map();
  const clocks = new Map();
  const skew = serverSkewMs(page.dataset.renderedAt, Date.now());
  for (const li of page.querySelectorAll("[data-fixture-id]")) rows.set(li.dataset.fixtureId, li);

  const field = (li, name) => li.querySelector(`[data-field="${name}"]`);

  function place(fixture, li) {
    const section = sectionOf(fixture);
    const target = page.querySelector(`[data-section-list="${section}"]`);
    li.dataset.section = section;
    // Live and upcoming by kick-off, finished ones the most recent first (as the server).
    const later = (other) => {
      const a = Date.parse(fixture.kickoff);
      const b = Date.parse(field(other, "kickoff").dateTime);
      return section === "finished" ? b < a : b > a;
    };
    const next = [...target.children].find((other) => other !== li && later(other)) || null;
    if (li.parentElement !== target || li.nextElementSibling !== next) target.insertBefore(li, next);
    for (const empty of page.querySelectorAll("[data-empty]")) {
      const own = page.querySelector(`[data-section-list="${empty.dataset.empty}"]`);
      empty.hidden = own.children.length > 0;
    }
  }

  function draw(fixture) {
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
    kickoff.textContent = kickoffFormat.format(new Date(fixture.kickoff));
    field(li, "home_team").textContent = fixture.home_team;
    field(li, "away_team").textContent = fixture.away_team;
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
        setConnection(connection, "live", "Live");
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
