// Pulumi replaces a resource by creating the new one before deleting the old. Under a fixed
// physical name the new one collides with the old ("already exists"), so every resource whose
// name the program chose must be replaced delete-first (`deleteBeforeReplace`), or left to the
// provider to name.
import { strict as assert } from "node:assert";
import { RecordedResource } from "../harness/graph";
import { forEachStack } from "../support/stackSuite";

/**
 * The input holding a resource type's own physical name where it is not `name`, or null where a
 * namesake can be created first: AWS does not require the name to be unique, or the resource is
 * replaced only when its scope changes (an authorizer only with its REST API, as a Method only
 * with its resource id or a Stage with its API, whose per-parent names are not listed). Other
 * properties named `bucket`, `functionName`, `role`… refer to another resource: not its name.
 */
const OWN_NAME: Record<string, string | null> = {
  "aws:s3/bucket:Bucket": "bucket",
  "aws:lambda/permission:Permission": "statementId",
  "aws:cloudwatch/eventTarget:EventTarget": "targetId",
  "aws:cognito/userPoolDomain:UserPoolDomain": "domain",
  "aws:apigateway/restApi:RestApi": null,
  "aws:apigateway/authorizer:Authorizer": null,
  "aws:cognito/userPool:UserPool": null,
  "aws:cognito/userPoolClient:UserPoolClient": null,
};

/** A name the provider generated: the logical name, `-` and 7 hex characters. */
function generated(resource: RecordedResource, value: string): boolean {
  const escaped = resource.name.replace(/[^A-Za-z0-9]/g, (c) => `\\${c}`);
  return new RegExp(`^${escaped}-[0-9a-f]{7}$`, "i").test(value);
}

/** The physical name the program chose for the resource, if any. */
function chosenName(resource: RecordedResource): string | undefined {
  const property = resource.type in OWN_NAME ? OWN_NAME[resource.type] : "name";
  if (!resource.custom || property === null) return undefined;
  const value = resource.inputs[property];
  return typeof value === "string" && !generated(resource, value) ? value : undefined;
}

forEachStack("Replacement of named resources", (graph) => {
  it("deletes first wherever the program fixed a physical name", () => {
    const named = graph()
      .all()
      .filter((r) => chosenName(r) !== undefined);
    assert.ok(named.length > 0, "no named resources: the check checks nothing");
    const createFirst = named
      .filter((r) => r.deleteBeforeReplace !== true)
      .map((r) => `${r.type} ${r.name} (${chosenName(r)})`);
    assert.deepEqual(createFirst, []);
  });

  it("leaves the function roles to the provider to name: nothing needs a fixed one", () => {
    const g = graph();
    const roles = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:iam/role:Role" &&
          g.ancestor(r, "serverless-notes:function:Function") !== undefined,
      );
    assert.ok(roles.length > 0);
    for (const role of roles) assert.equal(chosenName(role), undefined, role.name);
  });
});
