import { strict as assert } from "node:assert";
import { AUTO_NAMES, CONSTRAINTS } from "../../engine/constraints";
import { providerCheck, type CheckResult } from "../../engine/providerCheck";
import { UNKNOWN } from "../../engine/wire";

/** A deterministic stand-in for the engine's random hex. */
const hex = (length: number): string => "abcdef0123456789".slice(0, length);

const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION = "aws:lambda/function:Function";
const BUCKET = "aws:s3/bucket:Bucket";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const OAC = "aws:cloudfront/originAccessControl:OriginAccessControl";
const CERTIFICATE = "aws:acm/certificate:Certificate";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

function check(type: string, inputs: Record<string, unknown>, name = "res"): CheckResult {
  return providerCheck(type, name, inputs, hex);
}

/** Failures about one property; a case must name the property it breaks. */
function failuresAt(result: CheckResult, property: string): string[] {
  return result.failures.filter((f) => f.property === property).map((f) => f.message);
}

/** One passing and one failing value per table row, keyed by type, property and rule kind. */
interface RowCase {
  type: string;
  property: string;
  kind: string;
  pass: Record<string, unknown>;
  fail: Record<string, unknown>;
  /** Where the failure is reported when it is not `property` itself (array elements). */
  failAt?: string;
}

const fn = { role: "arn:aws:iam::123456789012:role/r", name: "f" };
const cases: RowCase[] = [
  ...["statementId", "statementIdPrefix"].flatMap((p): RowCase[] => [
    {
      type: PERMISSION,
      property: p,
      kind: "pattern",
      pass: { [p]: "Allow_Api-1" },
      fail: { [p]: "api/GET" },
    },
    {
      type: PERMISSION,
      property: p,
      kind: "length",
      pass: { [p]: "a".repeat(100) },
      fail: { [p]: "a".repeat(101) },
    },
  ]),
  {
    type: PERMISSION,
    property: "statementId",
    kind: "conflictsWith",
    pass: { statementId: "a" },
    fail: { statementId: "a", statementIdPrefix: "b" },
  },
  {
    type: PERMISSION,
    property: "action",
    kind: "pattern",
    pass: { action: "lambda:InvokeFunction" },
    fail: { action: "s3:GetObject" },
  },
  ...[PERMISSION, FUNCTION].flatMap((type): RowCase[] => {
    const p = type === PERMISSION ? "function" : "name";
    return [
      { type, property: p, kind: "pattern", pass: { [p]: "my-fn" }, fail: { [p]: "my fn" } },
      {
        type,
        property: p,
        kind: "length",
        pass: { [p]: `arn:aws:lambda:us-east-1:123456789012:function:${"f".repeat(64)}` },
        fail: {
          [p]: `arn:aws:lambda:us-east-1:123456789012:function:${"f".repeat(64)}:${"q".repeat(30)}`,
        },
      },
      {
        type,
        property: p,
        kind: "lambdaFunctionNameLength",
        pass: { [p]: "f".repeat(64) },
        fail: { [p]: "f".repeat(65) },
      },
    ];
  }),
  {
    type: PERMISSION,
    property: "qualifier",
    kind: "pattern",
    pass: { qualifier: "$LATEST" },
    fail: { qualifier: "v.1" },
  },
  {
    type: PERMISSION,
    property: "qualifier",
    kind: "length",
    pass: { qualifier: "q".repeat(128) },
    fail: { qualifier: "q".repeat(129) },
  },
  {
    type: PERMISSION,
    property: "eventSourceToken",
    kind: "pattern",
    pass: { eventSourceToken: "a.b" },
    fail: { eventSourceToken: "a b" },
  },
  {
    type: PERMISSION,
    property: "eventSourceToken",
    kind: "length",
    pass: { eventSourceToken: "t".repeat(256) },
    fail: { eventSourceToken: "t".repeat(257) },
  },
  {
    type: FUNCTION,
    property: "memorySize",
    kind: "intRange",
    pass: { ...fn, memorySize: 10240 },
    fail: { ...fn, memorySize: 127 },
  },
  {
    type: FUNCTION,
    property: "timeout",
    kind: "intRange",
    pass: { ...fn, timeout: 900 },
    fail: { ...fn, timeout: 901 },
  },
  {
    type: FUNCTION,
    property: "runtime",
    kind: "oneOf",
    pass: { ...fn, runtime: "nodejs24.x" },
    fail: { ...fn, runtime: "nodejs25.x" },
  },
  {
    type: FUNCTION,
    property: "architectures[]",
    kind: "oneOf",
    pass: { ...fn, architectures: ["arm64"] },
    fail: { ...fn, architectures: ["arm"] },
    failAt: "architectures[0]",
  },
  {
    type: FUNCTION,
    property: "handler",
    kind: "length",
    pass: { ...fn, handler: "index.handler" },
    fail: { ...fn, handler: "" },
  },
  ...(["maximumEventAgeInSeconds", "maximumRetryAttempts"] as const).map((p): RowCase => ({
    type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    property: p,
    kind: "intRange",
    pass: { functionName: "f", [p]: p === "maximumRetryAttempts" ? 2 : 60 },
    fail: { functionName: "f", [p]: p === "maximumRetryAttempts" ? 3 : 59 },
  })),
  ...(
    [
      ["aws:iam/role:Role", 64],
      ["aws:iam/policy:Policy", 128],
      ["aws:iam/instanceProfile:InstanceProfile", 128],
      ["aws:iam/rolePolicy:RolePolicy", 128],
    ] as const
  ).flatMap(([type, max]): RowCase[] => [
    {
      type,
      property: "name",
      kind: "length",
      pass: { name: "n".repeat(max) },
      fail: { name: "n".repeat(max + 1) },
    },
    {
      type,
      property: "name",
      kind: "pattern",
      pass: { name: "svc+role=a,b.c@d-e_f" },
      fail: { name: "role/with/slash" },
    },
    {
      type,
      property: "namePrefix",
      kind: "length",
      pass: { namePrefix: "p".repeat(max - 26) },
      fail: { namePrefix: "p".repeat(max - 25) },
    },
    {
      type,
      property: "namePrefix",
      kind: "pattern",
      pass: { namePrefix: "p-" },
      fail: { namePrefix: "p p" },
    },
    {
      type,
      property: "name",
      kind: "conflictsWith",
      pass: { name: "a" },
      fail: { name: "a", namePrefix: "b" },
    },
  ]),
  {
    type: "aws:iam/role:Role",
    property: "path",
    kind: "length",
    pass: { path: "/service/" },
    fail: { path: `/${"p".repeat(512)}` },
  },
  {
    type: "aws:iam/role:Role",
    property: "maxSessionDuration",
    kind: "intRange",
    pass: { maxSessionDuration: 43200 },
    fail: { maxSessionDuration: 60 },
  },
  {
    type: "aws:iam/role:Role",
    property: "description",
    kind: "length",
    pass: { description: "d".repeat(1000) },
    fail: { description: "d".repeat(1001) },
  },
  {
    type: "aws:iam/rolePolicy:RolePolicy",
    property: "role",
    kind: "length",
    pass: { role: "r".repeat(128) },
    fail: { role: "r".repeat(129) },
  },
  {
    type: "aws:iam/rolePolicy:RolePolicy",
    property: "role",
    kind: "notPattern",
    pass: { role: "my-role" },
    fail: { role: "arn:aws:iam::123456789012:role/my-role" },
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "name",
    kind: "length",
    pass: { name: `/aws/lambda/${"l".repeat(500)}` },
    fail: { name: `/aws/lambda/${"l".repeat(501)}` },
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "name",
    kind: "pattern",
    pass: { name: "/aws/x#1" },
    fail: { name: "/aws/x y" },
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "namePrefix",
    kind: "length",
    pass: { namePrefix: "l".repeat(483) },
    fail: { namePrefix: "l".repeat(484) },
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "name",
    kind: "conflictsWith",
    pass: { name: "a" },
    fail: { name: "a", namePrefix: "b" },
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "retentionInDays",
    kind: "intOneOf",
    pass: { retentionInDays: 14 },
    fail: { retentionInDays: 10 },
  },
  ...["name", "namePrefix"].flatMap((p): RowCase[] => [
    {
      type: "aws:cloudwatch/eventRule:EventRule",
      property: p,
      kind: "length",
      pass: { [p]: "r".repeat(64), scheduleExpression: "rate(1 day)" },
      fail: { [p]: "r".repeat(65), scheduleExpression: "rate(1 day)" },
    },
    {
      type: "aws:cloudwatch/eventRule:EventRule",
      property: p,
      kind: "pattern",
      pass: { [p]: "a.b_c-d", scheduleExpression: "rate(1 day)" },
      fail: { [p]: "a/b", scheduleExpression: "rate(1 day)" },
    },
  ]),
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "name",
    kind: "conflictsWith",
    pass: { name: "a" },
    fail: { name: "a", namePrefix: "b" },
  },
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "scheduleExpression",
    kind: "length",
    pass: { scheduleExpression: "s".repeat(256) },
    fail: { scheduleExpression: "s".repeat(257) },
  },
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "description",
    kind: "length",
    pass: { description: "d".repeat(512) },
    fail: { description: "d".repeat(513) },
  },
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "eventPattern",
    kind: "length",
    pass: { eventPattern: JSON.stringify({ source: ["a".repeat(4096 - 15)] }) },
    fail: { eventPattern: JSON.stringify({ source: ["a".repeat(4096 - 14)] }) },
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "name",
    kind: "length",
    pass: { name: "s".repeat(80) },
    fail: { name: "s".repeat(81) },
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "name",
    kind: "pattern",
    pass: { name: "serverless-notes-dev-import_Notes1" },
    fail: { name: "import.notes" },
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "definition",
    kind: "length",
    pass: { definition: "{}" },
    fail: { definition: " ".repeat(1024 * 1024 + 1) },
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "type",
    kind: "oneOf",
    pass: { type: "STANDARD" },
    fail: { type: "standard" },
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "loggingConfiguration.level",
    kind: "oneOf",
    pass: { loggingConfiguration: { level: "ALL" } },
    fail: { loggingConfiguration: { level: "DEBUG" } },
  },
  ...(
    [
      ["type", "AWS_PROXY", "LAMBDA"],
      ["passthroughBehavior", "WHEN_NO_MATCH", "ALWAYS"],
      ["connectionType", "VPC_LINK", "PRIVATE"],
    ] as const
  ).map(([p, good, bad]): RowCase => ({
    type: "aws:apigateway/integration:Integration",
    property: p,
    kind: "oneOf",
    pass: { [p]: good },
    fail: { [p]: bad },
  })),
  {
    type: BUCKET,
    property: "bucket",
    kind: "length",
    pass: { bucket: "b".repeat(63) },
    fail: { bucket: "b".repeat(64) },
  },
  {
    type: BUCKET,
    property: "bucketPrefix",
    kind: "length",
    pass: { bucketPrefix: "p".repeat(37) },
    fail: { bucketPrefix: "p".repeat(38) },
  },
  {
    type: BUCKET,
    property: "bucket",
    kind: "conflictsWith",
    pass: { bucket: "b" },
    fail: { bucket: "b", bucketPrefix: "p-" },
  },

  // CloudFront, ACM, Route 53, SNS, S3 lifecycle: a valid value and a near miss per row.
  ...(
    [
      [DISTRIBUTION, "httpVersion", "http2and3", "http4"],
      [DISTRIBUTION, "priceClass", "PriceClass_All", "PriceClass_50"],
      [OAC, "originAccessControlOriginType", "s3", "S3"],
      [OAC, "signingBehavior", "always", "sometimes"],
      [OAC, "signingProtocol", "sigv4", "sigv2"],
      [CERTIFICATE, "validationMethod", "DNS", "dns"],
      ["aws:route53/record:Record", "type", "CNAME", "ALIAS"],
      ["aws:sns/topicSubscription:TopicSubscription", "protocol", "email", "mail"],
    ] as const
  ).map(([type, property, good, bad]): RowCase => ({
    type,
    property,
    kind: "oneOf",
    pass: { [property]: good },
    fail: { [property]: bad },
  })),
  ...(
    [
      ["defaultCacheBehavior", "viewerProtocolPolicy", "redirect-to-https", "http-only"],
      ["viewerCertificate", "sslSupportMethod", "sni-only", "sni"],
    ] as const
  ).map(([parent, property, good, bad]): RowCase => ({
    type: DISTRIBUTION,
    property: `${parent}.${property}`,
    kind: "oneOf",
    pass: { [parent]: { [property]: good } },
    fail: { [parent]: { [property]: bad } },
  })),
  {
    type: DISTRIBUTION,
    property: "orderedCacheBehaviors[].viewerProtocolPolicy",
    kind: "oneOf",
    pass: { orderedCacheBehaviors: [{ viewerProtocolPolicy: "https-only" }] },
    fail: { orderedCacheBehaviors: [{ viewerProtocolPolicy: "HTTPS" }] },
    failAt: "orderedCacheBehaviors[0].viewerProtocolPolicy",
  },
  {
    type: DISTRIBUTION,
    property: "restrictions.geoRestriction.restrictionType",
    kind: "oneOf",
    pass: { restrictions: { geoRestriction: { restrictionType: "none" } } },
    fail: { restrictions: { geoRestriction: { restrictionType: "off" } } },
  },
  {
    type: OAC,
    property: "name",
    kind: "length",
    pass: { name: "o".repeat(64) },
    fail: { name: "o".repeat(65) },
  },
  {
    type: OAC,
    property: "description",
    kind: "length",
    pass: { description: "d".repeat(256) },
    fail: { description: "d".repeat(257) },
  },
  ...(
    [
      ["cookiesConfig", "cookieBehavior", "allExcept", "some"],
      ["headersConfig", "headerBehavior", "whitelist", "all"],
      ["queryStringsConfig", "queryStringBehavior", "none", "None"],
    ] as const
  ).map(([config, property, good, bad]): RowCase => ({
    type: "aws:cloudfront/cachePolicy:CachePolicy",
    property: `parametersInCacheKeyAndForwardedToOrigin.${config}.${property}`,
    kind: "oneOf",
    pass: { parametersInCacheKeyAndForwardedToOrigin: { [config]: { [property]: good } } },
    fail: { parametersInCacheKeyAndForwardedToOrigin: { [config]: { [property]: bad } } },
  })),
  ...(
    [
      ["frameOptions", "frameOption", "DENY", "NONE"],
      ["referrerPolicy", "referrerPolicy", "strict-origin-when-cross-origin", "strict"],
    ] as const
  ).map(([config, property, good, bad]): RowCase => ({
    type: "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    property: `securityHeadersConfig.${config}.${property}`,
    kind: "oneOf",
    pass: { securityHeadersConfig: { [config]: { [property]: good } } },
    fail: { securityHeadersConfig: { [config]: { [property]: bad } } },
  })),
  {
    type: CERTIFICATE,
    property: "domainName",
    kind: "length",
    pass: { domainName: `${"a".repeat(61)}.${"b".repeat(61)}.${"c".repeat(61)}.${"d".repeat(66)}` },
    fail: { domainName: `${"a".repeat(250)}.com` },
  },
  {
    type: CERTIFICATE,
    property: "domainName",
    kind: "notPattern",
    pass: { domainName: "notes.example.com" },
    fail: { domainName: "notes.example.com." },
  },
  {
    type: LIFECYCLE,
    property: "bucket",
    kind: "length",
    pass: { bucket: "b".repeat(63), rules: [] },
    fail: { bucket: "", rules: [] },
  },
  {
    type: LIFECYCLE,
    property: "rules[].id",
    kind: "length",
    pass: { rules: [{ id: "expire", status: "Enabled" }] },
    fail: { rules: [{ id: "", status: "Enabled" }] },
    failAt: "rules[0].id",
  },
  {
    type: LIFECYCLE,
    property: "rules[].status",
    kind: "oneOf",
    pass: { rules: [{ id: "expire", status: "Disabled" }] },
    fail: { rules: [{ id: "expire", status: "enabled" }] },
    failAt: "rules[0].status",
  },
  {
    type: LIFECYCLE,
    property: "rules[].noncurrentVersionExpiration.noncurrentDays",
    kind: "intRange",
    pass: {
      bucket: "b",
      rules: [
        {
          ...{ id: "r", status: "Enabled", filter: {} },
          noncurrentVersionExpiration: { noncurrentDays: 1 },
        },
      ],
    },
    fail: {
      bucket: "b",
      rules: [
        {
          ...{ id: "r", status: "Enabled", filter: {} },
          noncurrentVersionExpiration: { noncurrentDays: 0 },
        },
      ],
    },
    failAt: "rules[0].noncurrentVersionExpiration.noncurrentDays",
  },
];

describe("providerCheck", () => {
  describe("every constraint row", () => {
    it("has a passing and a failing case", () => {
      for (const row of CONSTRAINTS) {
        const covered = cases.some(
          (c) => c.type === row.type && c.property === row.property && c.kind === row.rule.kind,
        );
        assert.ok(covered, `no case for ${row.type} ${row.property} ${row.rule.kind}`);
      }
    });

    for (const c of cases) {
      it(`${c.type} ${c.property} ${c.kind}`, () => {
        const at = c.failAt ?? c.property;
        assert.deepEqual(failuresAt(check(c.type, c.pass), at), []);
        const failed = check(c.type, c.fail).failures.filter((f) => f.property === at);
        assert.ok(failed.length > 0, `expected a failure at ${at}`);
        for (const f of failed) {
          assert.match(f.message, /\. Examine values at 'res\..+'\.$/);
          assert.ok(f.source.length > 0);
        }
      });
    }
  });

  describe("lambda.Permission statementId", () => {
    it("fails when auto-named from a route name, naming statementId and the rule", () => {
      const result = check(
        PERMISSION,
        { action: "lambda:InvokeFunction", function: "fn", principal: "apigateway.amazonaws.com" },
        "api-GET/users/{userId}/notes",
      );
      assert.equal(result.inputs.statementId, "api-GET/users/{userId}/notes-abcdef0");
      const [failure] = failuresAt(result, "statementId");
      assert.equal(
        failure,
        "invalid value for statement_id (must contain alphanumeric, underscores or dashes only). " +
          "Examine values at 'api-GET/users/{userId}/notes.statementId'.",
      );
      const [row] = result.failures;
      assert.match(row.source, /validPolicyStatementID/);
      // The table keeps the pattern the message paraphrases.
      const rule = CONSTRAINTS.find(
        (c) => c.property === "statementId" && c.rule.kind === "pattern",
      );
      assert.ok(rule?.rule.kind === "pattern");
      assert.equal(rule.rule.pattern, "^[0-9A-Za-z_-]+$");
    });

    it("passes with a valid statementId", () => {
      const result = check(PERMISSION, {
        action: "lambda:InvokeFunction",
        function: "fn",
        principal: "apigateway.amazonaws.com",
        statementId: "AllowApiGET-users-notes",
      });
      assert.deepEqual(result.failures, []);
      assert.equal(result.inputs.statementId, "AllowApiGET-users-notes");
    });

    it("is not auto-named when statementIdPrefix is given", () => {
      const result = check(PERMISSION, {
        action: "lambda:InvokeFunction",
        statementIdPrefix: "Allow",
      });
      assert.equal(result.inputs.statementId, undefined);
      assert.deepEqual(result.failures, []);
    });
  });

  describe("lambda.Function name", () => {
    it("passes at exactly 64 characters and fails at 65", () => {
      assert.deepEqual(check(FUNCTION, { ...fn, name: "f".repeat(64) }).failures, []);
      const messages = failuresAt(check(FUNCTION, { ...fn, name: "f".repeat(65) }), "name");
      assert.deepEqual(messages, [
        `expected length of the Lambda function name to be less than or equal to 64, got ${"f".repeat(65)} ` +
          `(65 characters). Examine values at 'res.name'.`,
      ]);
    });

    it("auto-names up to 64 and fails the way the bridge does beyond it", () => {
      assert.equal(
        check(FUNCTION, { role: fn.role }, "f".repeat(56)).inputs.name,
        `${"f".repeat(56)}-abcdef0`,
      );
      const result = check(FUNCTION, { role: fn.role }, "f".repeat(57));
      assert.deepEqual(result.failures, [
        {
          property: "name",
          message:
            `could not make instance of '${FUNCTION}': name '${"f".repeat(57)}-' plus 7 random chars ` +
            "is longer than maximum length 64",
          source: result.failures[0].source,
        },
      ]);
      assert.match(result.failures[0].source, /NewUniqueName/);
      assert.equal(result.inputs.name, undefined);
    });
  });

  describe("auto-naming", () => {
    it("gives <name>-<7 hex> where pulumi-aws auto-names", () => {
      assert.equal(check("aws:iam/role:Role", {}, "listNotes").inputs.name, "listNotes-abcdef0");
      assert.equal(check("aws:dynamodb/table:Table", {}, "Notes").inputs.name, "Notes-abcdef0");
    });

    it("lowercases the S3 bucket name", () => {
      assert.equal(check(BUCKET, {}, "SiteBucket").inputs.bucket, "sitebucket-abcdef0");
    });

    it("leaves bucket to the provider when bucketPrefix is given", () => {
      const result = check(BUCKET, { bucketPrefix: "serverless-notes-dev-site-" }, "site");
      assert.equal(result.inputs.bucket, undefined);
      assert.deepEqual(result.failures, []);
    });

    it("keeps a name the program set", () => {
      assert.equal(check("aws:iam/role:Role", { name: "mine" }, "r").inputs.name, "mine");
    });

    it("fills an auto-name at preview but skips validating unknown values", () => {
      const result = check(
        PERMISSION,
        { action: UNKNOWN, function: UNKNOWN, statementId: UNKNOWN },
        "p",
      );
      assert.deepEqual(result.failures, []);
      assert.equal(result.inputs.statementId, UNKNOWN);
      assert.equal(check(PERMISSION, { action: UNKNOWN }, "p").inputs.statementId, "p-abcdef0");
    });

    it("adds .fifo to a FIFO queue's name", () => {
      assert.equal(
        check("aws:sqs/queue:Queue", { fifoQueue: true }, "dlq").inputs.name,
        "dlq-abcdef0.fifo",
      );
      assert.equal(check("aws:sqs/queue:Queue", {}, "dlq").inputs.name, "dlq-abcdef0");
    });

    it("cites pulumi-aws for every auto-named property", () => {
      for (const rule of AUTO_NAMES) assert.match(rule.source, /provider\/resources\.go/);
    });
  });

  it("passes unknown types, the provider and components through untouched", () => {
    for (const type of ["pulumi:providers:aws", "serverless-notes:api:Api", "aws:ec2/vpc:Vpc"]) {
      const inputs = { name: "x y/z", anything: 1 };
      assert.deepEqual(check(type, inputs), { inputs, failures: [] });
    }
  });
});
