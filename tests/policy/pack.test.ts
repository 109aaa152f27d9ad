import { strict as assert } from "node:assert";
import { policies } from "../../policy/policies";
import { STACKS, stackGraph } from "../harness/graph";
import { engineView } from "./engineView";
import { Diagnostic, PolicyPackProcess, policyPack } from "./policyPack";
import { violationCases } from "./violationCases";

const show = (ds: Diagnostic[]) =>
  ds.map((d) => `  ${d.enforcementLevel} ${d.policyName} at ${d.urn}: ${d.message}`).join("\n");

describe("policy pack", function () {
  this.timeout(120_000);
  let pack: PolicyPackProcess;
  before(async () => {
    pack = await policyPack();
  });

  it("starts the way the Pulumi CLI starts it and serves every rule as mandatory", async () => {
    const served = await pack.policies();
    assert.deepEqual(
      served.map((p) => p.name),
      policies.map((p) => p.name),
    );
    for (const p of served) assert.equal(p.enforcementLevel, "mandatory", p.name);
  });

  it("has a failing case for every rule it serves, and none for a rule it lacks", async () => {
    const served = (await pack.policies()).map((p) => p.name).sort();
    const tested = [...new Set(violationCases.map((c) => c.policy))].sort();
    assert.deepEqual(tested, served);
  });

  for (const stack of STACKS) {
    describe(`the ${stack} stack`, () => {
      it("passes every rule when it is updated (every value known)", async () => {
        const graph = await stackGraph(stack);
        const found = await pack.evaluate(engineView(graph.recorded, "update"));
        assert.deepEqual(found, [], `\n${show(found)}`);
      });

      it("passes every rule in the preview of a new stack, where AWS-computed values are unknown", async () => {
        const graph = await stackGraph(stack);
        const found = await pack.evaluate(engineView(graph.recorded, "preview"));
        const violations = found.filter((d) => d.enforcementLevel !== "advisory");
        assert.deepEqual(violations, [], `\n${show(violations)}`);
        // What preview cannot decide is said so, as the library's advisory, and nothing else.
        for (const d of found) assert.match(d.message, /can't be known during preview$/, show([d]));
      });
    });
  }

  describe("production rules", () => {
    afterEach(() => pack.configure({}));

    it("apply to the stacks the pack's config names, by default prod alone", async () => {
      const dev = engineView((await stackGraph("dev")).recorded, "update");
      assert.deepEqual(await pack.evaluate(dev), []);

      await pack.configure({
        "dynamodb-production-recovery": { productionStacks: ["dev", "prod"] },
        "apigateway-production-stage-observability": { productionStacks: ["dev", "prod"] },
      });
      const found = await pack.evaluate(dev);
      assert.deepEqual(
        [...new Set(found.map((d) => d.policyName))].sort(),
        ["apigateway-production-stage-observability", "dynamodb-production-recovery"],
        show(found),
      );
      assert.ok(
        found.every((d) => d.enforcementLevel === "mandatory"),
        show(found),
      );
    });
  });
});
