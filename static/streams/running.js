// The running score on goal rows and on the half-time and full-time bands: the browser's
// twin of streams/meaning/running.py, for the rows that arrive live (a row alone cannot
// know the score it made). No DOM in runningScores (tests/js/running.test.mjs).

import { kindOf, sideOf } from "./actions.js";

const SCORE_BANDS = ["end_period", "end_match"];

// Action id -> the score its row shows, over ``order`` (action ids in timeline order).
export function runningScores(order, actions) {
  let home = 0;
  let away = 0;
  const scores = new Map();
  for (const id of order) {
    const action = actions.get(id);
    const kind = kindOf(action);
    const side = sideOf(action);
    if (kind === "goal" && !action.removed && side) {
      if (side === "home") home += 1;
      else away += 1;
      scores.set(id, `${home}–${away}`);
    } else if (SCORE_BANDS.includes(kind)) {
      scores.set(id, `${home}–${away}`);
    }
  }
  return scores;
}

// Writes each drawn row's running score (rows: action id -> <li>).
export function drawRunning(centre) {
  const scores = runningScores(centre.order, centre.actions);
  for (const [id, li] of centre.rows) {
    const span = li.querySelector(".running");
    const text = scores.get(id) || "";
    if (span && span.textContent !== text) span.textContent = text;
  }
}
