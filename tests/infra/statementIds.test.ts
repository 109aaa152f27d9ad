// AWS names a Lambda permission's statement by its id, of at most 100 letters, digits, `_` and
// `-`; left unset, the provider derives one from the resource name (`api-GET/users/…-1a2b3c4`),
// which AWS refuses. Every permission of both stacks carries its own readable id.
import { strict as assert } from "node:assert";
import { statementId } from "../../infra/statementId";
import { forEachStack } from "../support/stackSuite";

const AWS_STATEMENT_ID = /^[A-Za-z0-9_-]{1,100}$/;

describe("statementId", () => {
  it("turns a route into a readable id AWS accepts", () => {
    assert.equal(
      statementId("ApiGateway", "GET /users/{userId}/notes"),
      "AllowApiGateway-GET-users-userId-notes",
    );
    assert.equal(statementId("S3", "importNotes imports/"), "AllowS3-importNotes-imports");
  });

  it("refuses an id over 100 characters rather than let AWS refuse it", () => {
    assert.throws(() => statementId("EventBridge", "x".repeat(100)), /1 to 100/);
  });
});

forEachStack("Lambda permissions", (graph) => {
  it("each has an explicit statement id AWS accepts, unique per function", () => {
    const permissions = graph().resources("aws:lambda/permission:Permission");
    const seen = new Set<string>();
    for (const p of permissions) {
      const id = p.inputs.statementId;
      assert.equal(typeof id, "string", `${p.name}: no statementId`);
      assert.match(id as string, AWS_STATEMENT_ID, p.name);
      const key = `${String(p.inputs.function)} ${String(id)}`;
      assert.ok(!seen.has(key), `${p.name}: statement id ${String(id)} is used twice`);
      seen.add(key);
    }
  });
});
