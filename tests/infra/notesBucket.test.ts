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

  it("keeps one lifecycle configuration: abandoned uploads, on-demand exports, old versions", () => {
    const g = graph();
    const bucket = notesBucket(g);
    const days = g.config("serverless-notes:notesBucketNoncurrentVersionDays");
    // S3 keeps one lifecycle configuration per bucket: a second would replace the first.
    const lifecycles = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" &&
          r.inputs.bucket === bucket.id,
      );
    assert.equal(lifecycles.length, 1);
    const [lifecycle] = lifecycles;
    assert.deepEqual(lifecycle.inputs.rules, [
      {
        id: "abort-incomplete-multipart-uploads",
        status: "Enabled",
        filter: {},
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
      ...(days === "off"
        ? []
        : [
            {
              id: "expire",
              status: "Enabled",
              filter: { prefix: "" },
              noncurrentVersionExpiration: { noncurrentDays: Number(days) },
            },
          ]),
      {
        id: "expire-exports-on-demand",
        status: "Enabled",
        filter: { prefix: "exports/on-demand/" },
        expiration: { days: 1 },
        noncurrentVersionExpiration: { noncurrentDays: 1 },
      },
    ]);
    // Set once the bucket's versioning is in place (pulumi-aws's advice for version rules).
    if (flag(g, "notesBucketVersioning")) {
      assert.ok(lifecycle.dependsOn.includes("aws:s3/bucketVersioning:BucketVersioning::notes"));
    }
  });

  it("logs every request into a log bucket of its own, kept the days the stack file says", () => {
    const g = graph();
    const bucket = notesBucket(g);
    const days = g.config("serverless-notes:notesBucketAccessLogDays");
    const logging = g.all().filter((r) => r.type === "aws:s3/bucketLogging:BucketLogging");
    if (days === "off") return assert.deepEqual(logging, []);
    assert.equal(logging.length, 1);
    const logs = g.resource("aws:s3/bucket:Bucket", {
      bucketPrefix: `${physical(g, "notes")}-logs-`,
    });
    assert.notEqual(logs.id, bucket.id);
    assert.deepEqual(logging[0].inputs, {
      bucket: bucket.state.bucket,
      targetBucket: logs.state.bucket,
      targetPrefix: "notes/",
    });
    assertPrivateBucket(g, logs, [
      {
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: ["s3:PutObject"],
        Resource: `${String(logs.state.arn)}/notes/*`,
        Condition: {
          ArnLike: { "aws:SourceArn": bucket.state.arn },
          StringEquals: { "aws:SourceAccount": "123456789012" },
        },
      },
    ]);
    g.resource("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", {
      bucket: logs.id,
      rules: [
        { id: "abort-incomplete-multipart-uploads", status: "Enabled" },
        { id: "expire", expiration: { days: Number(days) }, status: "Enabled" },
      ],
    });
    // The logging service may write only once its grant is in place.
    assert.ok(
      logging[0].dependsOn.includes("aws:s3/bucketPolicy:BucketPolicy::notes-access-logs"),
      logging[0].dependsOn.join(", "),
    );
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
