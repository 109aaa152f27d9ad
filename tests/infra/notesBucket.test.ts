import { strict as assert } from "node:assert";
import { Match, mismatches } from "../harness/graph";
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
/** These keys and no others, each matching (matchers allowed). */
function assertExactly(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  assert.deepEqual(mismatches(actual, expected), []);
}

function notesBucket(g: StackGraph): RecordedResource {
  const component = g.resource("serverless-notes:bucket:NotesBucket");
  const [inner] = g.children(component, "serverless-notes:bucket:PrivateBucket");
  assert.ok(inner, "NotesBucket has no PrivateBucket");
  const buckets = g.children(inner, "aws:s3/bucket:Bucket");
  assert.equal(buckets.length, 1);
  return buckets[0];
}

/** A task's function, its role, role policy and log group. */
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

/**
 * The statements an event-started function's policy ends with: its own logs, traces where
 * traced, and sending to its own dead-letter queue.
 */
function logAndTraceStatements(g: StackGraph, logGroup: RecordedResource): unknown[] {
  const component = g.ancestor(logGroup, "serverless-notes:function:Function");
  const [queue] = g
    .resources("aws:sqs/queue:Queue")
    .filter((q) => g.ancestor(q, "serverless-notes:function:Function") === component);
  assert.ok(queue, `no dead-letter queue beside ${logGroup.name}`);
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
    { Effect: "Allow", Action: "sqs:SendMessage", Resource: queue.state.arn },
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

  it("expires noncurrent versions where the stack file gives their days", () => {
    const g = graph();
    const bucket = notesBucket(g);
    const days = g.config("serverless-notes:notesBucketNoncurrentVersionDays");
    const rules = g
      .all()
      .filter(
        (r) =>
          r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration" &&
          r.inputs.bucket === bucket.id,
      );
    if (days === "off") return assert.deepEqual(rules, []);
    assert.equal(rules.length, 1);
    assert.deepEqual(rules[0].inputs.rules, [
      {
        id: "expire",
        status: "Enabled",
        filter: { prefix: "" },
        noncurrentVersionExpiration: { noncurrentDays: Number(days) },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
    assert.ok(rules[0].dependsOn.includes("aws:s3/bucketVersioning:BucketVersioning::notes"));
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
      rules: [{ expiration: { days: Number(days) }, status: "Enabled" }],
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

  describe("the scheduled export", () => {
    const scheduled = (g: StackGraph) => g.config("serverless-notes:exportSchedule") !== "off";
    /** Rules and targets besides the import workflow's (tests/infra/importWorkflow.test.ts). */
    const exportOnly = (g: StackGraph, type: string) =>
      g
        .all()
        .filter(
          (r) => r.type === type && !g.ancestor(r, "serverless-notes:workflow:ImportWorkflow"),
        );

    it("is scheduled as the stack file says, or not at all when it says off", () => {
      const g = graph();
      const rules = exportOnly(g, "aws:cloudwatch/eventRule:EventRule");
      const targets = exportOnly(g, "aws:cloudwatch/eventTarget:EventTarget");
      const exporters = g
        .all()
        .filter(
          (r) =>
            r.type === "aws:lambda/function:Function" &&
            r.inputs.name === physical(g, "exportAllNotes"),
        );
      if (!scheduled(g)) {
        assert.deepEqual(rules, []);
        assert.deepEqual(exporters, []);
        assert.deepEqual(targets, []);
        return;
      }
      assert.equal(rules.length, 1);
      assert.equal(rules[0].inputs.scheduleExpression, g.config("serverless-notes:exportSchedule"));
      const { fn } = taskFunction(g, "exportAllNotes");
      assert.equal(targets.length, 1);
      assert.equal(rules[0].inputs.name, physical(g, "exportAllNotes"));
      // The target's id is the provider's auto-name: `<logical name>-<7 hex>`.
      assertExactly(targets[0].inputs, {
        rule: rules[0].state.name,
        arn: fn.state.arn,
        targetId: Match.stringMatching(/^exportAllNotes-[0-9a-f]{7}$/),
      });
      const permission = g.resource("aws:lambda/permission:Permission", {
        principal: "events.amazonaws.com",
      });
      assert.ok(
        targets[0].dependsOn.includes(`aws:lambda/permission:Permission::${permission.name}`),
      );
    });

    it("may be invoked by EventBridge for its own rule only", () => {
      const g = graph();
      const permissions = g
        .all()
        .filter(
          (r) =>
            r.type === "aws:lambda/permission:Permission" &&
            r.inputs.principal === "events.amazonaws.com",
        );
      if (!scheduled(g)) return assert.deepEqual(permissions, []);
      const [rule] = exportOnly(g, "aws:cloudwatch/eventRule:EventRule");
      assert.equal(permissions.length, 1);
      assertExactly(permissions[0].inputs, {
        action: "lambda:InvokeFunction",
        function: physical(g, "exportAllNotes"),
        principal: "events.amazonaws.com",
        sourceArn: rule.state.arn,
        statementId: Match.stringMatching(/^AllowEventBridge-[A-Za-z0-9_-]+$/),
      });
    });

    it("may list Notes' users, query their notes and write exports/* objects, nothing else", () => {
      const g = graph();
      const roles = g
        .all()
        .filter((r) => r.type === "aws:iam/role:Role" && r.name === "exportAllNotes");
      if (!scheduled(g)) return assert.deepEqual(roles, []);
      const { fn, rolePolicy, logGroup } = taskFunction(g, "exportAllNotes");
      const table = g.resource("aws:dynamodb/table:Table", { name: physical(g, "Notes") });
      const bucket = notesBucket(g);
      assert.deepEqual(rolePolicy.inputs.policy, {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Action: ["dynamodb:Scan", "dynamodb:Query"],
            Resource: table.state.arn,
          },
          {
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: `${String(bucket.state.arn)}/exports/*`,
          },
          ...logAndTraceStatements(g, logGroup),
        ],
      });
      assertOwnRole(g, "exportAllNotes");
      assert.deepEqual(fn.inputs.environment, {
        variables: { TABLE_NAME: physical(g, "Notes"), BUCKET_NAME: bucket.state.bucket },
      });
    });
  });
});
