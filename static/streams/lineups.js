// The lineups and match info panels (streams/meaning/lineups.py reads the actions; rows of
// Lineups and Match Conditions actions carry what they say as ``row.panel``).
// Placeholder: draws nothing yet.

export function drawLineups(page, centre) {}
