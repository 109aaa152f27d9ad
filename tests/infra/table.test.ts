import { strict as assert } from "node:assert";
import { tables } from "../../app/routes";
import { Match } from "../harness/graph";
import { flag, forEachStack, physical } from "../support/stackSuite";

forEachStack("Table", (graph) => {
  for (const spec of Object.values(tables)) {
    it(`declares ${spec.name} from its key schema, on demand and encrypted`, () => {
      const keys = [spec.partitionKey, ...("sortKey" in spec ? [spec.sortKey] : [])];
      graph().hasResource("aws:dynamodb/table:Table", {
        name: physical(graph(), spec.name),
        hashKey: spec.partitionKey.name,
        rangeKey: "sortKey" in spec ? spec.sortKey.name : Match.absent(),
        attributes: keys.map((k) => ({ name: k.name, type: k.type })),
        billingMode: graph().config("serverless-notes:billingMode"),
        serverSideEncryption: { enabled: true },
      });
    });
  }

  it("has point-in-time recovery, deletion protection and protect exactly as the stack file says", () => {
    const g = graph();
    const tablesDeclared = g.resources("aws:dynamodb/table:Table", {
      pointInTimeRecovery: { enabled: flag(g, "pointInTimeRecovery") },
      deletionProtectionEnabled: flag(g, "deletionProtection"),
    });
    assert.equal(tablesDeclared.length, 2);
    for (const t of tablesDeclared) {
      assert.equal(t.protect, flag(g, "protectTables"), `${t.name} protect`);
      assert.equal(g.ancestor(t, "serverless-notes:table:Table")?.name, t.name);
    }
  });
});
