// The penalty shootout panel: a kick-by-kick grid per team.
// Placeholder: draws nothing yet.

export function drawShootout(page, centre) {}
