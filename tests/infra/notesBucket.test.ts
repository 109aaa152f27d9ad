import { strict as assert } from "node:assert";
import type { RecordedResource, StackGraph } from "../harness/graph";
import { flag, forEachStack, physical } from "../support/stackSuite";
import { assertPrivateBucket } from "../support/privateBucket";

const LAMBDA_TRUST = {
  Version: "2012-10-17",
  Statement: [
    { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
  ],
};

/** The notes bucket: the S3 bucket inside the NotesBucket component. */
function notesBucket(g: StackGraph): RecordedResource {
  const component = g.resource("serverless-notes:bucket:NotesBucket");
  const [inner] = g.children(component, "serverless-notes:bucket:PrivateBucket");
  assert.ok(inner, "NotesBucket has no PrivateBucket");
  const buckets = g.children(inner, "aws:s3/bucket:Bucket");
  assert.equal(buckets.length, 1);
  return buckets[0];
}

/** A function, its role, role policy and log group. */
function taskFunction(g: StackGraph, name: string) {
  const fn = g.resource("aws:lambda/function:Function", { name: physical(g, name) });
  const component = g.ancestor(fn, "serverless-notes:function:Function");
  assert.ok(component, `${name} has no Function component`);
  const only = (type: string) => {
    const found = g.children(component, type);
    assert.equal(found.length, 1, `${name}: ${type}`);
    return found[0];
  };
  return {
    fn,
    role: only("aws:iam/role:Role"),
    rolePolicy: only("aws:iam/rolePolicy:RolePolicy"),
    logGroup: only("aws:cloudwatch/logGroup:LogGroup"),
  };
}

/** The statements a function's policy ends with: its own logs, and traces where traced. */
function logAndTraceStatements(g: StackGraph, logGroup: RecordedResource): unknown[] {
  return [
    {
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${String(logGroup.state.arn)}:log-stream:*`,
    },
    ...(flag(g, "tracing")
      ? [
          {
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
          },
        ]
      : []),
  ];
}

function assertOwnRole(g: StackGraph, name: string): void {
  const { fn, role } = taskFunction(g, name);
  assert.equal(fn.inputs.role, role.state.arn);
  assert.deepEqual(role.inputs.assumeRolePolicy, LAMBDA_TRUST);
  const attached = g
    .all()
    .filter(
      (r) =>
        r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
        r.inputs.role === role.state.name,
    );
  assert.deepEqual(attached, []);
}

forEachStack("NotesBucket", (graph) => {
  it("is a private bucket: public access blocked, owner-enforced, encrypted, TLS only", () => {
    const g = graph();
    const bucket = notesBucket(g);
    assert.equal(bucket.inputs.bucketPrefix, `${physical(g, "notes")}-`);
    assert.equal(bucket.inputs.forceDestroy, false);
    assertPrivateBucket(g, bucket);
  });

  it("keeps object versions exactly where the stack file asks for them", () => {
    const g = graph();
    const bucket = notesBucket(g);
    const versioning = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:s3/bucketVersioning:BucketVersioning" && r.inputs.bucket === bucket.id,
      );
    if (!flag(g, "notesBucketVersioning")) return assert.deepEqual(versioning, []);
    assert.equal(versioning.length, 1);
    assert.deepEqual(versioning[0].inputs.versioningConfiguration, { status: "Enabled" });
  });

  it("removes unfinished uploads' parts, and the export route's objects a day after they are written", () => {
    const g = graph();
    const bucket = notesBucket(g);
    const component = g.resource("serverless-notes:bucket:NotesBucket");
    const lifecycle = g.resource(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    );
    assert.equal(lifecycle.parent, `${component.type}::${component.name}`);
    assert.deepEqual(lifecycle.inputs, {
      bucket: bucket.state.bucket,
      rules: [
        {
          id: "abort-incomplete-multipart-uploads",
          status: "Enabled",
          filter: {},
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
        {
          id: "expire-exports-on-demand",
          status: "Enabled",
          filter: { prefix: "exports/on-demand/" },
          expiration: { days: 1 },
          noncurrentVersionExpiration: { noncurrentDays: 1 },
        },
      ],
    });
    // Set after the bucket's versioning (and the rest of the private bucket) is in place.
    const versioning = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:s3/bucketVersioning:BucketVersioning" && g.ancestor(r, component.type),
      );
    assert.equal(versioning.length, flag(g, "notesBucketVersioning") ? 1 : 0);
    for (const v of versioning) {
      assert.ok(lifecycle.dependsOn.includes(`${v.type}::${v.name}`), lifecycle.dependsOn.join());
    }
  });

  it("is a stack output by name", () => {
    const g = graph();
    assert.equal(g.outputs.notesBucketName, notesBucket(g).state.bucket);
  });

  describe("the export route", () => {
    it("may query Notes and write and read exports/on-demand/* (its presigned URLs), nothing else", () => {
      const g = graph();
      const { fn, rolePolicy, logGroup } = taskFunction(g, "exportNotes");
      const table = g.resource("aws:dynamodb/table:Table", { name: physical(g, "Notes") });
      const bucket = notesBucket(g);
      assert.deepEqual(rolePolicy.inputs.policy, {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["dynamodb:Query"], Resource: table.state.arn },
          {
            Effect: "Allow",
            Action: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
            Resource: `${String(bucket.state.arn)}/exports/on-demand/*`,
          },
          ...logAndTraceStatements(g, logGroup),
        ],
      });
      assertOwnRole(g, "exportNotes");
      const { variables } = fn.inputs.environment as { variables: Record<string, string> };
      assert.equal(variables.BUCKET_NAME, bucket.state.bucket);
      assert.equal(variables.TABLE_NAME, physical(g, "Notes"));
    });
  });
});
