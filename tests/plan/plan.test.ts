import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import { REPO_ROOT } from "../../local/stackConfig";
import { renderPlan, snapshotPath } from "../../plan/render";
import { STACKS, stackGraph } from "../harness/graph";

/** The first lines where two texts part, with a little context. */
function firstDifference(expected: string, actual: string): string {
  const a = expected.split("\n");
  const b = actual.split("\n");
  const at = a.findIndex((line, i) => line !== b[i]);
  const from = Math.max(0, (at < 0 ? Math.min(a.length, b.length) : at) - 2);
  const show = (lines: string[]) => lines.slice(from, from + 6).join("\n");
  return `snapshot:\n${show(a)}\n---- program now:\n${show(b)}`;
}

describe("plan snapshots", function () {
  this.timeout(120_000);
  for (const stack of STACKS) {
    it(`the ${stack} program declares what tests/plan/${stack}.plan.txt says`, async () => {
      const plan = renderPlan((await stackGraph(stack)).recorded, REPO_ROOT);
      const file = snapshotPath(REPO_ROOT, stack);
      assert.ok(fs.existsSync(file), `no snapshot: run npm run plan -- --stack ${stack} --update`);
      const snapshot = fs.readFileSync(file, "utf8");
      assert.ok(
        plan === snapshot,
        `the ${stack} plan changed; if that is intended, run ` +
          `npm run plan -- --stack ${stack} --update and commit the snapshot.\n` +
          firstDifference(snapshot, plan),
      );
    });
  }

  it("renders assets by content and repository-relative path, not machine paths", async () => {
    const plan = renderPlan((await stackGraph("dev")).recorded, REPO_ROOT);
    assert.ok(!plan.includes(REPO_ROOT), "an absolute path leaked into the plan");
    assert.match(plan, /source: <file site\/index\.html sha256:[0-9a-f]{16}>/);
    assert.match(plan, /"__index\.js":"<text \d+ B sha256:[0-9a-f]{16}>"/);
  });
});
