// The match centre: the history the page was rendered with, then every change from the
// websocket (docs/live-protocol.md).
//
// What an action means is decided on the server (streams/meaning/): every action comes with
// its timeline ``row`` (kind, icon, title, who, note, key, side), drawn here as given. What
// must be counted live (stats, momentum, the clock) is counted by kind, with the rules the
// page sends as "stats-rules" (streams/meaning/drawing.py). Badges and period labels
// mirror streams/views.py (summary.js).

import { placeInOrder, unpackActions } from "./actions.js";
import { MatchClock, secondsBehind } from "./clock.js";
import { drawFeed, drawRow, drawScoreboard, readJson } from "./drawing.js";
import { SilenceCheck, feedView, serverSkewMs } from "./freshness.js";
import { drawFolds } from "./commentary.js";
import { drawLineups } from "./lineups.js";
import { drawRunning } from "./running.js";
import { drawShootout, shootoutKicks } from "./shootout.js";
import { liveSocket, setConnection, statusText } from "./socket.js";
import { drawMomentum, drawStats } from "./stats.js";

// What a websocket message does to a page that shows every position up to ``last``: a
// "snapshot" covers (after, position]; a big one comes in parts, and only its last part
// ("snapshot") completes it, the others ("snapshot-part") bring actions only. A "change"
// is applied only if it is the next position: one already shown is "seen", one further on
// is a "gap" (resume from ``last``). A "feed" (the feed's state) and a "reset" (the log
// was wiped for a replay) take no position. Anything else is ignored.
export function messageStep(message, last) {
  if (message.type === "feed" || message.type === "reset") return message.type;
  if (message.type === "snapshot") return message.part < message.parts ? "snapshot-part" : "snapshot";
  if (message.type !== "change") return "ignore";
  if (message.position <= last) return "seen";
  return message.position === last + 1 ? "change" : "gap";
}

// What the page knows, from its embedded JSON (window.matchCentre.centre).
function readCentre(page) {
  const rules = readJson("stats-rules") || { counts: [], clock: {} };
  const centre = {
    fixture: readJson("fixture-data"),
    panels: readJson("panels-data") || {}, // streams/meaning/lineups.py panels()
    actions: new Map(), // action id -> newest version shown
    rows: new Map(), // action id -> its <li>
    order: [], // action ids in timeline order
    last: Number(page.dataset.lastPosition), // every position up to this one is shown
    after: null, // the position the socket last asked to resume after
    clock: new MatchClock(rules.clock),
    rules,
    log: [],
    feedLog: [], // the "feed" messages, apart: they take no position
    resets: 0,
    skew: serverSkewMs(page.dataset.renderedAt, Date.now()),
  };
  for (const action of unpackActions(readJson("actions-data"))) {
    centre.actions.set(action.action_id, action);
    centre.order.push(action.action_id);
  }
  return centre;
}

export class MatchCentre {
  constructor(page) {
    this.page = page;
    this.template = document.getElementById("action-row").content.firstElementChild;
    this.timeline = page.querySelector("[data-timeline]");
    this.connection = page.querySelector("[data-connection]");
    this.centre = readCentre(page);
    for (const li of this.timeline.children) this.centre.rows.set(li.dataset.actionId, li);
    this.socket = null;
    this.silence = new SilenceCheck(() => this.drop());
    this.derivedPending = false; // stats and momentum are about to be redrawn
    this.ticks = 0;
  }

  // Draws what the page was rendered with, starts the clock and connects.
  start() {
    const { centre, page } = this;
    this.drawFixture(centre.fixture, false);
    this.drawFeed();
    centre.clock.follow(centre.fixture, null, secondsBehind(centre.actions.values(), page.dataset.renderedAt));
    this.tick();
    this.drawDerived();
    page.querySelector("[data-stats]").hidden = false;
    setInterval(() => this.tick(), 250);

    if (centre.fixture.finished) {
      setConnection(this.connection, "finished", "Match over");
    } else {
      this.socket = liveSocket(() => {
        centre.after = centre.last;
        return `/ws/fixtures/${page.dataset.fixtureId}/?after=${centre.last}`;
      }, {
        onMessage: (message) => this.onMessage(message),
        onStatus: (state, delay) => setConnection(this.connection, ...statusText(state, delay)),
      });
    }
    this.expose();
  }

  // For tests and for curious people at the console.
  expose() {
    const { centre } = this;
    const self = this;
    window.matchCentre = {
      centre,
      log: centre.log,
      get last() { return centre.last; },
      get drawing() { return self.derivedPending; }, // stats and momentum are about to be redrawn
      get ticks() { return self.ticks; }, // clock redraws so far (four a second)
      get feed() { return self.feedNow(); },
      get silenceDrops() { return self.silence.drops; }, // sockets given up on for silence
      drop: () => self.drop(),
    };
  }

  // Gives up on the socket as on a network failure: it comes back and resumes by itself.
  drop() {
    if (this.socket) this.socket.drop();
  }

  onMessage(message) {
    const { centre } = this;
    if (message.type === "feed") {
      centre.feedLog.push({ state: message.feed && message.feed.state, at: Date.now() });
      centre.fixture = { ...centre.fixture, feed: message.feed };
      this.drawFeed();
      this.tick();
      return;
    }
    // Every message as received, with the position shown before it: a snapshot covers
    // (before, position], a change its own position (the test suite checks the coverage).
    centre.log.push({ type: message.type, position: message.position, before: centre.last, after: centre.after });
    const step = messageStep(message, centre.last);
    if (step === "reset") {
      this.reset();
      return; // a whole snapshot of the new log follows
    }
    if (step === "snapshot-part") {
      for (const action of message.actions || []) this.applyAction(action);
      return; // the last part draws the rest and moves the position
    }
    if (step === "snapshot") {
      for (const action of message.actions || []) this.applyAction(action);
      this.drawFixture(message.fixture, true);
      this.drawFeed();
      centre.clock.follow(message.fixture, null);
      if (message.position > centre.last) centre.last = message.position;
      setConnection(this.connection, "live", "Live");
    } else if (step === "change") {
      this.applyAction(message.action);
      // Rows this change redraws: a goal that a Goal Disallowed, arriving after it, explains.
      for (const other of message.related || []) this.applyAction(other, false);
      this.drawFixture(message.fixture, true);
      this.drawFeed();
      centre.clock.follow(message.fixture, message.action);
      centre.last = message.position;
    } else {
      if (step === "gap") this.drop(); // resume from the last position shown
      return;
    }
    this.tick();
    this.drawDerivedSoon();
    if (centre.fixture.finished) {
      this.socket.stop();
      setConnection(this.connection, "finished", "Match over");
    }
  }

  // The log was wiped to be replayed from the start: forget every action and position;
  // the snapshot and changes that follow draw the new log as on a first load.
  reset() {
    const { centre } = this;
    centre.actions.clear();
    centre.rows.clear();
    centre.order.length = 0;
    centre.last = -1;
    centre.resets += 1;
    centre.clock = new MatchClock(centre.rules.clock);
    this.timeline.replaceChildren();
    this.page.querySelector("[data-timeline-empty]").hidden = false;
    this.drawDerivedSoon();
  }

  // The feed's state now, by the server's clock.
  feedNow() {
    return feedView(this.centre.fixture.feed, Date.now() + this.centre.skew);
  }

  // The feed notice, and the clock held while the feed is not live: the view drawn.
  drawFeed() {
    const view = this.feedNow();
    drawFeed(this.page.querySelector("[data-feed]"), view);
    this.page.dataset.feedLive = String(view.live);
    this.centre.clock.hold(!view.live && !this.centre.fixture.finished);
    return view;
  }

  applyAction(action, fresh = true) {
    const { centre } = this;
    const known = centre.actions.has(action.action_id);
    centre.actions.set(action.action_id, action);
    this.place(action, this.rowFor(action, fresh));
    if (!known) this.page.querySelector("[data-timeline-empty]").hidden = true;
  }

  // The action's row, drawn: the element already shown for it, changed in place, or a new
  // one from the template.
  rowFor(action, fresh) {
    let li = this.centre.rows.get(action.action_id);
    if (!li) {
      li = this.template.cloneNode(true);
      li.dataset.actionId = action.action_id;
      this.centre.rows.set(action.action_id, li);
    }
    return drawRow(li, action, fresh);
  }

  // Rows stay in the server's order (timeline_sequence): a new version may move its row,
  // but the element is the same one, changed in place. A long match's page draws only
  // some rows (streams/meaning/page.py), so the row goes before the next one drawn.
  place(action, li) {
    const { order, rows } = this.centre;
    const { from, to } = placeInOrder(order, this.centre.actions, action);
    if (from === to && li.isConnected) return;
    let next = null;
    for (let i = to + 1; i < order.length && !next; i += 1) next = rows.get(order[i]) || null;
    this.timeline.insertBefore(li, next);
  }

  drawFixture(fixture, changed) {
    const previous = this.centre.fixture;
    this.centre.fixture = fixture;
    drawScoreboard(this.page, fixture, previous, changed, shootoutKicks(this.centre.actions));
  }

  tick() {
    const { centre } = this;
    this.ticks += 1;
    const view = this.drawFeed();
    if (this.socket && !centre.fixture.finished) this.silence.update(view);
    this.page.querySelector("[data-clock]").textContent = centre.fixture.current_period ? centre.clock.text() : "";
  }

  // The panels drawn from all the actions (each in a module of its own).
  drawDerived() {
    drawStats(this.page, this.centre);
    drawMomentum(this.page, this.centre);
    drawShootout(this.page, this.centre);
    drawLineups(this.page, this.centre);
    drawRunning(this.centre);
    drawFolds(this.centre);
  }

  // Stats and momentum once for a burst of changes.
  drawDerivedSoon() {
    if (this.derivedPending) return;
    this.derivedPending = true;
    setTimeout(() => {
      this.derivedPending = false;
      this.drawDerived();
    }, 50);
  }
}
