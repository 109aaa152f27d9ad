import { strict as assert } from "node:assert";
import { recordStack } from "../harness/graph";
import { forEachStack, flag } from "../support/stackSuite";

forEachStack("stack", (graph) => {
  it("exports the SPEC's outputs, each a realistic value", () => {
    const g = graph();
    const o = g.outputs;
    assert.deepEqual(Object.keys(o).sort(), [
      "alarmTopicArn",
      "apiUrl",
      "applicationRoleArn",
      "deleteBucketPolicyArn",
      "exportStateMachineArn",
      "importStateMachineArn",
      "membersTableName",
      "notesBucketName",
      "notesTableName",
      "siteUrl",
      "userPoolClientId",
      "userPoolId",
    ]);
    const region = graph().config("aws:region");
    assert.match(
      String(o.siteUrl),
      g.config("serverless-notes:siteHosting") === "cloudfront"
        ? /^https:\/\/d[a-z0-9]{13}\.cloudfront\.net$/
        : new RegExp(`^http://[a-z0-9.-]+\\.s3-website[.-]${region}\\.amazonaws\\.com$`),
    );
    assert.equal(
      o.alarmTopicArn,
      `arn:aws:sns:${region}:123456789012:serverless-notes-${g.stack}-alarms`,
    );
    assert.match(
      String(o.apiUrl),
      new RegExp(
        `^https://[a-z0-9]+\\.execute-api\\.${region}\\.amazonaws\\.com/${graph().stack}$`,
      ),
    );
    assert.equal(o.notesTableName, `serverless-notes-${graph().stack}-Notes`);
    assert.equal(o.membersTableName, `serverless-notes-${graph().stack}-hello-member`);
    assert.match(
      String(o.notesBucketName),
      new RegExp(`^serverless-notes-${graph().stack}-notes-`),
    );
    assert.match(String(o.applicationRoleArn), /^arn:aws:iam::\d{12}:role\/.+application-role$/);
    assert.equal(
      o.importStateMachineArn,
      `arn:aws:states:${region}:123456789012:stateMachine:serverless-notes-${graph().stack}-importNotes`,
    );
    assert.equal(
      o.exportStateMachineArn,
      `arn:aws:states:${region}:123456789012:stateMachine:serverless-notes-${graph().stack}-scheduledExport`,
    );
    assert.match(
      String(o.deleteBucketPolicyArn),
      /^arn:aws:iam::\d{12}:policy\/.+S3-Delete-Bucket-Policy$/,
    );
    // The ids are the engine's (mocks give no Cognito-shaped ids): the pool's and client's own.
    assert.equal(o.userPoolId, graph().resource("aws:cognito/userPool:UserPool").id);
    assert.equal(
      o.userPoolClientId,
      graph().resource("aws:cognito/userPoolClient:UserPoolClient").id,
    );
    assert.match(String(o.userPoolId), /^\S+$/);
  });

  it("creates every AWS resource through one explicit provider in the configured region", () => {
    const provider = graph().resource("pulumi:providers:aws", {});
    assert.equal(provider.inputs.region, graph().config("aws:region"));
    const awsResources = graph()
      .all()
      .filter((r) => r.custom && r.type.startsWith("aws:"));
    assert.ok(awsResources.length > 50, `only ${awsResources.length} AWS resources recorded`);
    for (const r of awsResources) {
      assert.match(String(r.provider), /[:$]pulumi:providers:aws::aws::/, `${r.type} ${r.name}`);
    }
    assert.deepEqual(JSON.parse(graph().config("pulumi:disable-default-providers")), ["aws"]);
  });

  it("tags every taggable resource with Project, Environment and ManagedBy", () => {
    const provider = graph().resource("pulumi:providers:aws", {});
    // Provider configuration reaches the engine JSON-encoded.
    const defaultTags = JSON.parse(String(provider.inputs.defaultTags)) as { tags: unknown };
    assert.deepEqual(defaultTags.tags, {
      Project: "serverless-notes",
      Environment: graph().stack,
      ManagedBy: "pulumi",
    });
  });

  it("declares the resource set the route table and config call for", () => {
    const g = graph();
    const alarms = flag(g, "alarms");
    const accessLogs = flag(g, "apiAccessLogs");
    const lab = flag(g, "labBucket");
    const versioned = flag(g, "notesBucketVersioning");
    const scheduled = g.config("serverless-notes:exportSchedule") !== "off";
    const cloudfront = g.config("serverless-notes:siteHosting") === "cloudfront";
    const accessLogged = g.config("serverless-notes:notesBucketAccessLogDays") !== "off";
    const emailed = g.config("serverless-notes:alarmEmail") !== "off";
    const schedule = scheduled ? 1 : 0;
    // Eight routes, the import workflow's four steps and the export workflow's two.
    const functions = 8 + 4 + 2;
    // The site, the notes bucket, its access log bucket and the lab bucket where enabled.
    const buckets = 2 + (accessLogged ? 1 : 0) + (lab ? 1 : 0);
    const expected: Record<string, number> = {
      "aws:dynamodb/table:Table": 2,
      "aws:lambda/function:Function": functions,
      // One per function; each workflow's, the export's for its child executions, and
      // EventBridge's for each rule (the export's where it is scheduled).
      "aws:iam/rolePolicy:RolePolicy": functions + 2 + 1 + 1 + schedule,
      // One per function, each workflow's, EventBridge's per rule, the application role, and
      // API Gateway's logging role where logged.
      "aws:iam/role:Role": functions + 2 + 1 + schedule + 1 + (accessLogs ? 1 : 0),
      // One per function, each workflow's executions, and the API's access log where logged.
      "aws:cloudwatch/logGroup:LogGroup": functions + 2 + (accessLogs ? 1 : 0),
      // One per route: nothing else invokes a function but the workflows, by their roles.
      "aws:lambda/permission:Permission": 8,
      "aws:apigateway/restApi:RestApi": 1,
      "aws:apigateway/resource:Resource": 6,
      // Eight routes, and an OPTIONS and an ANY (405) answer on each of the four route paths.
      "aws:apigateway/method:Method": 16,
      "aws:apigateway/integration:Integration": 16,
      "aws:apigateway/deployment:Deployment": 1,
      "aws:apigateway/stage:Stage": 1,
      "aws:apigateway/account:Account": accessLogs ? 1 : 0,
      // Each function's errors, the API's 5XX, each workflow's failed executions, and each
      // rule's undelivered events.
      "aws:cloudwatch/metricAlarm:MetricAlarm": alarms ? functions + 1 + 2 + 1 + schedule : 0,
      "aws:sqs/queue:Queue": 1 + schedule,
      "aws:sqs/queuePolicy:QueuePolicy": 1 + schedule,
      "aws:sfn/stateMachine:StateMachine": 2,
      "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": 0,
      "aws:s3/bucket:Bucket": buckets,
      "aws:s3/bucketPolicy:BucketPolicy": buckets,
      "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": buckets,
      "aws:s3/bucketVersioning:BucketVersioning": versioned ? 1 : 0,
      "aws:s3/bucketLogging:BucketLogging": accessLogged ? 1 : 0,
      // The notes bucket's one (uploads, exports, old versions), and the access logs' where kept.
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        1 + (accessLogged ? 1 : 0),
      "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration": cloudfront ? 0 : 1,
      "aws:cloudfront/distribution:Distribution": cloudfront ? 1 : 0,
      "aws:cloudfront/originAccessControl:OriginAccessControl": cloudfront ? 1 : 0,
      "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": cloudfront ? 1 : 0,
      "aws:cloudfront/cachePolicy:CachePolicy": cloudfront ? 2 : 0,
      "aws:sns/topic:Topic": 1,
      "aws:sns/topicPolicy:TopicPolicy": 1,
      "aws:sns/topicSubscription:TopicSubscription": emailed ? 1 : 0,
      "aws:s3/bucketNotification:BucketNotification": 1,
      // The import's, and the export's where it is scheduled.
      "aws:cloudwatch/eventRule:EventRule": 1 + schedule,
      "aws:cloudwatch/eventTarget:EventTarget": 1 + schedule,
      "aws:iam/policy:Policy": 1,
      "aws:iam/instanceProfile:InstanceProfile": 1,
      "aws:cognito/userPool:UserPool": 1,
      "aws:cognito/userPoolClient:UserPoolClient": 1,
      "aws:apigateway/authorizer:Authorizer": 1,
    };
    for (const [type, count] of Object.entries(expected)) {
      assert.equal(g.count(type), count, type);
    }
  });
});

describe("stack selection", () => {
  it("fails at once for an unknown stack, naming the known environments", async function () {
    this.timeout(120_000);
    const graph = await recordStack("staging");
    assert.match(String(graph.recorded.error), /Unknown stack "staging".*dev, prod/);
    assert.equal(graph.all().filter((r) => r.type.startsWith("aws:")).length, 0);
  });
});
