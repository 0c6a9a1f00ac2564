// What the match centre reads off an action (streams/models.py action_payload, with the
// timeline ``row`` streams/meaning/ drew for it): its kind, its side, its place on the
// timeline. No DOM, so Node's test runner imports it too (tests/js/).

// Stats, momentum and the clock count actions by the kind of their row ("stats-rules").
export const kindOf = (action) => (action && action.row ? action.row.kind : null);

export const sideOf = (action) => (action.team_is_home === true ? "home" : action.team_is_home === false ? "away" : null);

// The server's timeline order (streams/catalogue.py TIMELINE_ORDER): by match time, the
// period then the clock ("MM:SS" sorts by length, then as text, which is its time), the
// vendor's timeline_sequence, fixture_seq_num and first_position only breaking ties.
const clockText = (action) => (typeof action.clock_time === "string" ? action.clock_time : "");

function compareValues(x, y) {
  if (x === y) return 0;
  if (x === null || x === undefined) return 1; // Postgres sorts NULLs last
  if (y === null || y === undefined) return -1;
  return x < y ? -1 : 1;
}

export function compareActions(a, b) {
  const byPeriod = compareValues(a.period, b.period);
  if (byPeriod) return byPeriod;
  const x = clockText(a);
  const y = clockText(b);
  if (x.length !== y.length) return x.length - y.length;
  if (x !== y) return x < y ? -1 : 1;
  for (const key of ["timeline_sequence", "fixture_seq_num", "first_position"]) {
    const by = compareValues(a[key], b[key]);
    if (by) return by;
  }
  return 0;
}

// Moves ``action``'s id to its place in ``order`` (action ids in timeline order, each found
// in ``actions``, which already holds this version of it). Returns where the id was (-1:
// it is new) and where it is now; after equals, as the server sorts ties.
export function placeInOrder(order, actions, action) {
  const from = order.indexOf(action.action_id);
  if (from !== -1) order.splice(from, 1);
  let low = 0;
  let high = order.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareActions(actions.get(order[mid]), action) <= 0) low = mid + 1;
    else high = mid;
  }
  order.splice(low, 0, action.action_id);
  return { from, to: low };
}

// The actions a page was rendered with, from its "actions-data" table (streams/meaning/
// page.py ``counted()``): {fields, rows}, a row per action. Each comes back as the fields
// the page counts with, its row's kind and detail as ``row`` (as a live action carries them).
export function unpackActions(table) {
  if (!table || !Array.isArray(table.fields) || !Array.isArray(table.rows)) return [];
  return table.rows.map((values) => {
    const action = {};
    table.fields.forEach((field, i) => { action[field] = values[i]; });
    const { kind, detail, ...rest } = action;
    return { ...rest, row: { kind, detail } };
  });
}
