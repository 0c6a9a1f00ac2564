// The match page's entry (templates/streams/fixture_detail.html loads it as a module):
// boots the match centre. The pieces, each a module of its own:
//
//   centre.js   the page's state and what each websocket message does to it
//   socket.js   the reconnecting websocket and the connection indicator
//   clock.js    the match clock, running in the browser between packets
//   stats.js    match stats and momentum, counted from the actions
//   summary.js  a fixture's section, badges, period label, score by period, kit colours
//   actions.js  an action's kind, side and place on the timeline
//   drawing.js  the DOM side: scoreboard, badges, kits, timeline rows
//   momentum.js, shootout.js, lineups.js, running.js, commentary.js  the panels and
//               what the timeline adds to its rows (the running score, folded play)
//   times.js    the kick-off in the viewer's own zone, as the list writes it
//
// All but this one run nothing on import: tests/js/ unit-tests them in Node.

import { MatchCentre } from "./centre.js";
import { localiseTimes } from "./times.js";

const root = document.querySelector("[data-match-centre]");
if (root) {
  localiseTimes(root);
  new MatchCentre(root).start();
}
