import { strict as assert } from "node:assert";
import { stackGraph } from "../harness/graph";
import { engineView } from "./engineView";
import { GraphEdit } from "./graphEdit";
import { Diagnostic, PolicyPackProcess, policyPack } from "./policyPack";
import { violationCases } from "./violationCases";

const show = (ds: Diagnostic[]) =>
  ds.map((d) => `  ${d.enforcementLevel} ${d.policyName} at ${d.urn}: ${d.message}`).join("\n");

describe("policy rules, each on the program with one thing broken", function () {
  this.timeout(120_000);
  let pack: PolicyPackProcess;
  before(async () => {
    pack = await policyPack();
  });

  for (const c of violationCases) {
    const phase = c.phase ?? "update";
    it(`${c.policy}: ${c.title} (${c.stack}, ${phase})`, async () => {
      const graph = new GraphEdit((await stackGraph(c.stack)).recorded);
      c.edit(graph);
      const found = await pack.evaluate(engineView(graph.recorded, phase));
      const violations = found.filter((d) => d.enforcementLevel === "mandatory");

      // This rule and no other: each case breaks exactly one thing.
      assert.deepEqual([...new Set(violations.map((d) => d.policyName))], [c.policy], show(found));
      assert.ok(
        violations.some((d) => d.urn.endsWith(`::${c.at}`) && c.message.test(d.message)),
        `no violation at ${c.at} matching ${c.message}:\n${show(violations)}`,
      );
      if (phase === "update") {
        assert.deepEqual(
          found.filter((d) => d.enforcementLevel !== "mandatory"),
          [],
          show(found),
        );
      }
    });
  }
});
