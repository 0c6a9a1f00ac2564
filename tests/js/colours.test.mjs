// static/streams/colours.js: kit colours moved until each reaches 3:1 against the page and
// against the other team. The ratios are computed here from WCAG's formula, not read back.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";

import { adjustPair, BACKGROUNDS, DEFAULT_AWAY, DEFAULT_HOME } from "../../static/streams/colours.js";
import { teamKits } from "../../static/streams/summary.js";

// https://www.w3.org/TR/WCAG21/#dfn-relative-luminance, written again on purpose.
function wcagRatio(a, b) {
  const lum = (rgb) => {
    const [r, g, b2] = rgb.map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b2;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

const WHITE = [255, 255, 255];
const PAGE = [243, 245, 247]; // site.css --back, the darkest light background
const KITS = {
  white: [255, 255, 255],
  black: [10, 10, 10],
  yellow: [253, 185, 19],
  red: [200, 16, 46],
  nearRed: [205, 20, 40],
  orange: [255, 102, 0],
  brightRed: [255, 0, 0],
  sky: [135, 206, 235],
};

// The hue (0-360) of an sRGB colour; undefined for greys.
function hue([r, g, b]) {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return undefined;
  const d = max - min;
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
}

function assertLegible(pairName, home, away) {
  const [h, a] = adjustPair(home, away);
  for (const [side, colour] of [["home", h], ["away", a]]) {
    for (const bg of [WHITE, PAGE]) {
      const ratio = wcagRatio(colour, bg);
      assert.ok(ratio >= 3, `${pairName}: ${side} ${colour} on ${bg} is ${ratio.toFixed(2)}:1`);
    }
  }
  const between = wcagRatio(h, a);
  assert.ok(between >= 3, `${pairName}: ${h} against ${a} is ${between.toFixed(2)}:1`);
  return [h, a];
}

describe("adjustPair", () => {
  const names = Object.keys(KITS);
  for (const home of names) {
    for (const away of names) {
      test(`${home} v ${away} reach 3:1 with the page and each other`, () => {
        assertLegible(`${home} v ${away}`, KITS[home], KITS[away]);
      });
    }
  }

  test("two near-identical reds end up far apart, and still red", () => {
    assert.ok(wcagRatio(KITS.red, KITS.nearRed) < 1.1); // the problem, as sent
    const [h, a] = assertLegible("reds", KITS.red, KITS.nearRed);
    for (const colour of [h, a]) {
      const angle = hue(colour);
      assert.ok(angle < 15 || angle > 345, `${colour} is no longer red (hue ${angle})`);
    }
  });

  test("a pair that already qualifies is left as it is", () => {
    const blue = [0, 56, 168];
    const lightBlue = [135, 206, 235];
    assert.ok(wcagRatio(blue, WHITE) >= 3 && wcagRatio(blue, PAGE) >= 3);
    assert.deepEqual(adjustPair([10, 10, 10], [200, 16, 46]), [[10, 10, 10], [200, 16, 46]]);
    const [h] = adjustPair(blue, lightBlue);
    assert.deepEqual(h, blue); // home was fine: only away moved
  });

  test("white is darkened, not replaced: it becomes a grey", () => {
    const [, a] = adjustPair([10, 10, 10], WHITE);
    assert.ok(a[0] === a[1] && a[1] === a[2], `${a} is not a grey`);
    assert.ok(a[0] > 60, `${a} went all the way to black`);
  });

  test("yellow keeps its hue when darkened", () => {
    const [h] = adjustPair(KITS.yellow, [0, 56, 168]);
    assert.ok(Math.abs(hue(h) - hue(KITS.yellow)) < 3, `${h}`);
  });

  test("the pages' backgrounds are the ones site.css draws on", () => {
    const css = readFileSync(new URL("../../static/streams/site.css", import.meta.url), "utf8");
    assert.match(css, /--paper: #fff;/);
    assert.match(css, /--back: #f3f5f7;/);
    assert.deepEqual(BACKGROUNDS, [WHITE, PAGE]);
  });

  test("site.css's default kits are the adjusted defaults", () => {
    const css = readFileSync(new URL("../../static/streams/site.css", import.meta.url), "utf8");
    const [h, a] = adjustPair(DEFAULT_HOME, DEFAULT_AWAY);
    assert.match(css, new RegExp(`--home-kit: rgb\\(${h.join(" ")}\\)`));
    assert.match(css, new RegExp(`--away-kit: rgb\\(${a.join(" ")}\\)`));
  });
});

describe("teamKits", () => {
  test("both sides adjusted together, ink contrasting with each", () => {
    const kits = teamKits("255, 255, 255", "250,250,250");
    const colour = (css) => css.match(/\d+/g).map(Number);
    assert.ok(wcagRatio(colour(kits.home.kit), colour(kits.away.kit)) >= 3);
    for (const side of [kits.home, kits.away]) {
      const ink = side.ink === "#fff" ? WHITE : [17, 17, 17];
      assert.ok(wcagRatio(colour(side.kit), ink) >= 4.5, `${side.ink} on ${side.kit}`);
      assert.equal(side.known, true);
    }
  });

  test("a team without colours is drawn in the default, marked as not known", () => {
    const kits = teamKits("255, 255, 255", "");
    assert.equal(kits.away.known, false);
    assert.equal(kits.home.known, true);
    assert.match(kits.away.kit, /^rgb\(\d+ \d+ \d+\)$/);
  });
});
