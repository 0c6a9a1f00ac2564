// Kit colours that never vanish: each team's colour moved (darker or lighter, in small
// steps, so the hue stays recognisable) until it has at least 3:1 contrast with the page
// and with the other team's colour: the WCAG 2.x minimum for non-text graphics (1.4.11),
// which the stat bars, momentum bars, timeline bars and kit dots are. No DOM
// (tests/js/colours.test.mjs).

export const MIN_CONTRAST = 3;

// What kit colours are drawn on (site.css): --paper, and --back, the darker of the two.
export const BACKGROUNDS = [[255, 255, 255], [243, 245, 247]];

// Used when the feed has not sent a team's colours (yet): site.css's --home-kit and
// --away-kit are what this module makes of them (tests/js/colours.test.mjs checks).
export const DEFAULT_HOME = [31, 95, 191];
export const DEFAULT_AWAY = [192, 57, 43];

// WCAG 2.x relative luminance of an sRGB colour [r, g, b], 0-255 each.
// https://www.w3.org/TR/WCAG21/#dfn-relative-luminance
export function luminance([r, g, b]) {
  const linear = (v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

// https://www.w3.org/TR/WCAG21/#dfn-contrast-ratio: 1 (the same) to 21 (black on white).
export function contrast(a, b) {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

// ``colour`` mixed with black (step < 0) or white (step > 0), |step| of STEPS.
const STEPS = 40;
function shade(colour, step) {
  const towards = step < 0 ? 0 : 255;
  const t = Math.abs(step) / STEPS;
  return colour.map((v) => Math.round(v + (towards - v) * t));
}

// Every shade of ``colour`` that stands out from every background, the least changed first.
function legibleShades(colour, backgrounds) {
  const found = [];
  for (let distance = 0; distance <= STEPS; distance += 1) {
    for (const step of distance ? [-distance, distance] : [0]) {
      const candidate = shade(colour, step);
      if (backgrounds.every((bg) => contrast(candidate, bg) >= MIN_CONTRAST)) {
        found.push({ colour: candidate, distance });
      }
    }
  }
  return found;
}

// [home, away] ([r, g, b] each), changed as little as possible to meet MIN_CONTRAST against
// every background and each other. When both must not move, the away colour moves first
// (a tie goes to keeping home's kit as it is). Some pair of shades always qualifies on a
// light page: black, and a shade of the other colour between 0.1 and 0.3 luminance.
export function adjustPair(home, away, backgrounds = BACKGROUNDS) {
  const homes = legibleShades(home, backgrounds);
  const aways = legibleShades(away, backgrounds);
  let best = null;
  for (const h of homes) {
    for (const a of aways) {
      const cost = h.distance + a.distance;
      if (best && (cost > best.cost || (cost === best.cost && h.distance >= best.home.distance))) continue;
      if (contrast(h.colour, a.colour) >= MIN_CONTRAST) best = { cost, home: h, away: a };
    }
  }
  return best ? [best.home.colour, best.away.colour] : [home, away];
}
