// static/streams/centre.js: what each websocket message does to the match centre (the
// DOM side is the browser tests', tests/browser/).
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import { messageStep } from "../../static/streams/centre.js";

describe("messageStep", () => {
  test("a snapshot is always applied", () => {
    assert.equal(messageStep({ type: "snapshot", position: 3 }, 10), "snapshot");
    assert.equal(messageStep({ type: "snapshot", position: 30 }, 10), "snapshot");
  });

  test("a change is applied if it is the next position", () => {
    assert.equal(messageStep({ type: "change", position: 11 }, 10), "change");
    assert.equal(messageStep({ type: "change", position: 0 }, -1), "change"); // a page with no packet yet
  });

  test("a change already shown is skipped", () => {
    assert.equal(messageStep({ type: "change", position: 10 }, 10), "seen");
    assert.equal(messageStep({ type: "change", position: 2 }, 10), "seen");
  });

  test("a change past the next position is a gap", () => {
    assert.equal(messageStep({ type: "change", position: 12 }, 10), "gap");
    assert.equal(messageStep({ type: "change" }, 10), "gap");
  });

  test("any other message is ignored", () => {
    assert.equal(messageStep({ type: "scoreboard", position: 11 }, 10), "ignore");
    assert.equal(messageStep({}, 10), "ignore");
  });
});

describe("messageStep with a snapshot in parts", () => {
  test("every part but the last only brings actions", () => {
    assert.equal(messageStep({ type: "snapshot", position: 9, part: 1, parts: 3 }, 2), "snapshot-part");
    assert.equal(messageStep({ type: "snapshot", position: 9, part: 2, parts: 3 }, 2), "snapshot-part");
  });

  test("the last part completes the snapshot", () => {
    assert.equal(messageStep({ type: "snapshot", position: 9, part: 3, parts: 3 }, 2), "snapshot");
  });
});
