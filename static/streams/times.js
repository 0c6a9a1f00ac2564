// Times as the viewer reads them: in their own time zone, with the zone named, in one
// format on every page. The server writes each time as <time datetime="…"> with UTC
// text (what a reader without JavaScript gets); localiseTimes() rewrites the text.
// Nothing here runs on import (tests/js/times.test.mjs passes the locale and zone).

// The viewer's zone, as the browser knows it ("Europe/London"); "UTC" if it says nothing.
export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

const KICKOFF = {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  timeZoneName: "short",
};
const formats = new Map(); // building an Intl.DateTimeFormat costs far more than using one
function format(locale, timeZone, options, kind) {
  const key = `${kind}|${locale}|${timeZone}`;
  if (!formats.has(key)) formats.set(key, new Intl.DateTimeFormat(locale, { ...options, timeZone }));
  return formats.get(key);
}

// "Sun 6 Dec, 21:00 CET" (in en-GB; the viewer's locale decides the order and the
// clock). ``locale`` and ``timeZone`` default to the viewer's. Null for a bad ``iso``.
export function formatKickoff(iso, { locale, timeZone = viewerZone() } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return format(locale, timeZone, KICKOFF, "kickoff").format(date);
}

// The calendar day of ``iso`` in ``timeZone``, as "2026-12-06" (for grouping by day).
export function dayKey(iso, timeZone = viewerZone()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const parts = format("en-CA", timeZone, { year: "numeric", month: "2-digit", day: "2-digit" }, "day")
    .formatToParts(date);
  const part = (type) => parts.find((p) => p.type === type).value;
  return `${part("year")}-${part("month")}-${part("day")}`;
}

// "2026-12-06" moved by ``days`` (calendar arithmetic, in UTC so no zone shifts it).
export function addDays(key, days) {
  const date = new Date(`${key}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const RELATIVE = { "-1": "Yesterday", 0: "Today", 1: "Tomorrow" };

// A day's heading: "Today, Sun 6 Dec", "Tomorrow, Mon 7 Dec", "Wed 9 Dec" (``today``: the
// viewer's day key). Written in UTC: ``key`` is already a day, not an instant.
export function dayLabel(key, today, { locale } = {}) {
  const date = new Date(`${key}T12:00:00Z`);
  const text = format(locale, "UTC", { weekday: "short", day: "numeric", month: "short" }, "label").format(date);
  const offset = Math.round((date - new Date(`${today}T12:00:00Z`)) / 86400000);
  return offset in RELATIVE ? `${RELATIVE[offset]}, ${text}` : text;
}

// Rewrites the text of every <time datetime> under ``root`` marked data-local="kickoff"
// with formatKickoff(); the full zone name goes in the title. Elements whose datetime
// does not parse keep the server's text.
export function localiseTimes(root, options = {}) {
  for (const element of root.querySelectorAll('time[data-local="kickoff"]')) localiseTime(element, options);
}

export function localiseTime(element, options = {}) {
  const text = formatKickoff(element.dateTime, options);
  if (text === null) return;
  element.textContent = text;
  element.title = `Your time zone: ${options.timeZone || viewerZone()}`;
}
