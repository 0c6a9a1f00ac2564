// The commentary view folds routine play (possession, throw-ins, dangerous attacks, the
// clock...): each told row says how many routine actions came after it, before the next
// told one, where they would be. The told kinds are the server's (streams/meaning/
// commentary.py TOLD_KINDS, in "stats-rules" as ``told``). No DOM in foldCounts
// (tests/js/commentary.test.mjs).

import { kindOf } from "./actions.js";

// Action id of each told action -> routine actions after it, before the next told one.
// Routine actions before the first told one count on none (there is nothing to fold into).
export function foldCounts(order, actions, told) {
  const toldKinds = new Set(told);
  const counts = new Map();
  let current = null;
  for (const id of order) {
    if (toldKinds.has(kindOf(actions.get(id)))) {
      current = id;
      counts.set(id, 0);
    } else if (current !== null) {
      counts.set(current, counts.get(current) + 1);
    }
  }
  return counts;
}

export const foldText = (count) => (count ? `${count} routine ${count === 1 ? "action" : "actions"}` : "");

export function drawFolds(centre) {
  const counts = foldCounts(centre.order, centre.actions, centre.rules.told || []);
  for (const [id, li] of centre.rows) {
    const span = li.querySelector(".folded");
    const text = foldText(counts.get(id) || 0);
    if (span && span.textContent !== text) span.textContent = text;
  }
}
