import assert from "node:assert/strict";
import {
  ON_DEMAND_EXPORTS_PREFIX,
  SCHEDULED_EXPORTS_PREFIX,
  onDemandExportKey,
  scheduledExportKey,
  scheduledSummaryKey,
} from "../../app/bucketLayout";

describe("the notes bucket's export keys", () => {
  const at = new Date("2026-11-21T03:04:05.678Z");

  it("files an export answered by link per user, by time and request id", () => {
    assert.equal(
      onDemandExportKey("ada", at, "0f8fad5b-d9cb-469f-a165-70867728950e"),
      "exports/on-demand/ada/20261121T030405Z-0f8fad5b-d9cb-469f-a165-70867728950e.json",
    );
    // Two requests in the same second: two keys.
    assert.notEqual(onDemandExportKey("ada", at, "a-1"), onDemandExportKey("ada", at, "a-2"));
    for (const bad of ["", "../x", "a/b", "x".repeat(65)]) {
      assert.throws(() => onDemandExportKey("ada", at, bad), /is not a request id/);
    }
  });

  it("keeps every user's objects in a folder of their own, whatever the id", () => {
    // Not an id the API accepts, but the table may hold anything: it cannot leave its folder.
    assert.equal(
      onDemandExportKey("a/../b", at, "r"),
      "exports/on-demand/a%2F..%2Fb/20261121T030405Z-r.json",
    );
    assert.equal(
      scheduledExportKey("2026-11-21", "a/b"),
      "exports/scheduled/2026-11-21/users/a%2Fb.json",
    );
  });

  it("puts a day's users beside its summary, so no user id can name the summary", () => {
    assert.equal(scheduledSummaryKey("2026-11-21"), "exports/scheduled/2026-11-21/summary.json");
    assert.notEqual(scheduledExportKey("2026-11-21", "summary"), scheduledSummaryKey("2026-11-21"));
    for (const bad of ["2026-11-21/..", "21.11.2026", ""]) {
      assert.throws(() => scheduledSummaryKey(bad), /is not a date/);
      assert.throws(() => scheduledExportKey(bad, "ada"), /is not a date/);
    }
  });

  it("keeps the route's objects and the schedule's apart, each grantable by its prefix", () => {
    assert.ok(onDemandExportKey("u", at, "r").startsWith(ON_DEMAND_EXPORTS_PREFIX));
    assert.ok(scheduledExportKey("2026-11-21", "u").startsWith(SCHEDULED_EXPORTS_PREFIX));
    assert.ok(!ON_DEMAND_EXPORTS_PREFIX.startsWith(SCHEDULED_EXPORTS_PREFIX));
    assert.ok(!SCHEDULED_EXPORTS_PREFIX.startsWith(ON_DEMAND_EXPORTS_PREFIX));
  });
});
