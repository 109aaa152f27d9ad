// For every rule of the pack, the real program's graph with one thing broken, the rule that must
// catch it, where and with what message. A rule that can never fire has no case that passes.
import type { Phase } from "./engineView";
import type { GraphEdit } from "./graphEdit";

export interface ViolationCase {
  policy: string;
  title: string;
  stack: "dev" | "prod";
  /** Default "update"; "preview" shows the rule still decides what a preview knows. */
  phase?: Phase;
  edit: (graph: GraphEdit) => void;
  /** The resource the violation is reported on. */
  at: string;
  message: RegExp;
}

const T = {
  bucket: "aws:s3/bucket:Bucket",
  bucketObject: "aws:s3/bucketObject:BucketObject",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  function: "aws:lambda/function:Function",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  managedPolicy: "aws:iam/policy:Policy",
  method: "aws:apigateway/method:Method",
  methodSettings: "aws:apigateway/methodSettings:MethodSettings",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  stage: "aws:apigateway/stage:Stage",
  table: "aws:dynamodb/table:Table",
  website: "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
  alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
  distribution: "aws:cloudfront/distribution:Distribution",
};

type Inputs = Record<string, unknown>;

const ACCOUNT_ROOT = "arn:aws:iam::123456789012:root";

export const violationCases: ViolationCase[] = [
  // iam-no-wildcard-actions
  {
    policy: "iam-no-wildcard-actions",
    title: "a function's role policy allows dynamodb:*",
    stack: "dev",
    edit: (g) =>
      g.changeDocument(T.rolePolicy, "listNotes", (s) => {
        s[0].Action = ["dynamodb:*"];
      }),
    at: "listNotes",
    message: /Role policy "listNotes" statement 1 allows "dynamodb:\*": name the exact actions/,
  },
  {
    policy: "iam-no-wildcard-actions",
    title: "the customer managed policy allows every action",
    stack: "prod",
    edit: (g) =>
      g.changeDocument(T.managedPolicy, "notes-application-role-delete-bucket", (s) => {
        s[0].Action = "*";
      }),
    at: "notes-application-role-delete-bucket",
    message: /Managed policy "notes-application-role-delete-bucket" statement 1 allows "\*"/,
  },
  {
    policy: "iam-no-wildcard-actions",
    title: "a private bucket's policy allows s3:* to the account",
    stack: "dev",
    edit: (g) =>
      g.changeDocument(T.bucketPolicy, "notes", (s) => {
        s.push({
          Effect: "Allow",
          Principal: { AWS: ACCOUNT_ROOT },
          Action: "s3:*",
          Resource: "*",
        });
      }),
    at: "notes",
    message: /Bucket policy "notes" statement 2 allows "s3:\*"/,
  },
  {
    policy: "iam-no-wildcard-actions",
    title: "a role's inline policy (a JSON string) allows everything but IAM",
    stack: "dev",
    edit: (g) =>
      g.change(T.role, "getNote", (inputs) => {
        inputs.inlinePolicies = [
          {
            name: "almost-everything",
            policy: JSON.stringify({
              Version: "2012-10-17",
              Statement: [{ Sid: "Broad", Effect: "Allow", NotAction: "iam:*", Resource: "*" }],
            }),
          },
        ];
      }),
    at: "getNote",
    message:
      /Inline policy "almost-everything" of role "getNote" statement "Broad" allows every action except "iam:\*" \(NotAction\)/,
  },

  // iam-no-full-access-managed-policies
  {
    policy: "iam-no-full-access-managed-policies",
    title: "the application role gets AmazonDynamoDBFullAccess",
    stack: "dev",
    edit: (g) =>
      g.change(T.rolePolicyAttachment, "notes-application-role-read-only", (inputs) => {
        inputs.policyArn = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess";
      }),
    at: "notes-application-role-read-only",
    message: /attaches the AWS managed policy AmazonDynamoDBFullAccess/,
  },
  {
    policy: "iam-no-full-access-managed-policies",
    title: "a function role lists AdministratorAccess in managedPolicyArns",
    stack: "prod",
    edit: (g) =>
      g.change(T.role, "deleteNote", (inputs) => {
        inputs.managedPolicyArns = ["arn:aws:iam::aws:policy/AdministratorAccess"];
      }),
    at: "deleteNote",
    message: /Role "deleteNote" attaches the AWS managed policy AdministratorAccess/,
  },

  // s3-public-only-website-object-reads
  {
    policy: "s3-public-only-website-object-reads",
    title: "the website's public statement also grants s3:PutObject",
    stack: "dev",
    edit: (g) =>
      g.changeDocument(T.bucketPolicy, "site", (s) => {
        s[0].Action = ["s3:GetObject", "s3:PutObject"];
      }),
    at: "site",
    message:
      /statement "PublicReadGetObject" of the policy "site" lets anyone use "s3:PutObject": a public statement may allow s3:GetObject only/,
  },
  {
    policy: "s3-public-only-website-object-reads",
    title: "the notes bucket lets anyone read its objects",
    stack: "prod",
    edit: (g) =>
      g.changeDocument(T.bucketPolicy, "notes", (s) => {
        s.push({ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "*" });
      }),
    at: "notes",
    message:
      /statement 2 of the policy "notes" makes bucket "notes" \(.+\) public, but only the website bucket may be public/,
  },
  {
    policy: "s3-public-only-website-object-reads",
    title: "the same, seen in a preview, before the bucket has a name",
    stack: "prod",
    phase: "preview",
    edit: (g) =>
      g.changeDocument(T.bucketPolicy, "notes", (s) => {
        s.push({ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject" });
      }),
    at: "notes",
    message: /statement 2 of the policy "notes" makes bucket "notes" public/,
  },
  {
    policy: "s3-public-only-website-object-reads",
    title: "the lab bucket lets public policies through",
    stack: "dev",
    edit: (g) =>
      g.change(T.publicAccessBlock, "lab-deleteme", (inputs) => {
        inputs.blockPublicPolicy = false;
      }),
    at: "lab-deleteme",
    message:
      /Public access block "lab-deleteme" leaves blockPublicPolicy off on bucket "lab-deleteme"/,
  },
  {
    policy: "s3-public-only-website-object-reads",
    title: "the website bucket lets ACLs make objects public",
    stack: "dev",
    edit: (g) =>
      g.change(T.publicAccessBlock, "site", (inputs) => {
        inputs.ignorePublicAcls = false;
      }),
    at: "site",
    message: /Public access block "site" of the website bucket leaves ignorePublicAcls off/,
  },
  {
    policy: "s3-public-only-website-object-reads",
    title: "a site object is uploaded public-read",
    stack: "dev",
    edit: (g) =>
      g.change(T.bucketObject, "site/index.html", (inputs) => {
        inputs.acl = "public-read";
      }),
    at: "site/index.html",
    message: /"site\/index.html" sets the public ACL "public-read"/,
  },

  // s3-deny-insecure-transport
  {
    policy: "s3-deny-insecure-transport",
    title: "the lab bucket has no bucket policy",
    stack: "dev",
    edit: (g) => g.remove(T.bucketPolicy, "lab-deleteme"),
    at: "lab-deleteme",
    message:
      /bucket "lab-deleteme" \(serverless-notes-dev-deleteme-\d+\) has no bucket policy, so it accepts plain-HTTP requests/,
  },
  {
    policy: "s3-deny-insecure-transport",
    title: "the same, seen in a preview",
    stack: "dev",
    phase: "preview",
    edit: (g) => g.remove(T.bucketPolicy, "lab-deleteme"),
    at: "lab-deleteme",
    message: /bucket "lab-deleteme" .*has no bucket policy/,
  },
  {
    policy: "s3-deny-insecure-transport",
    title: "the notes bucket denies plain HTTP on its objects but not on the bucket",
    stack: "prod",
    edit: (g) =>
      g.changeDocument(T.bucketPolicy, "notes", (s) => {
        s[0].Resource = (s[0].Resource as string[]).filter((r) => r.endsWith("/*"));
      }),
    at: "notes",
    message: /The policy "notes" of bucket "notes" \(.+\) does not deny plain-HTTP requests/,
  },

  // lambda-supported-runtime
  {
    policy: "lambda-supported-runtime",
    title: "a function on nodejs18.x",
    stack: "dev",
    edit: (g) =>
      g.change(T.function, "listNotes", (inputs) => {
        inputs.runtime = "nodejs18.x";
      }),
    at: "listNotes",
    message: /Function "listNotes" runs on nodejs18.x, which AWS no longer supports/,
  },
  {
    policy: "lambda-supported-runtime",
    title: "a function on nodejs20.x, past Node.js 20's end of life",
    stack: "dev",
    edit: (g) =>
      g.change(T.function, "listNotes", (inputs) => {
        inputs.runtime = "nodejs20.x";
      }),
    at: "listNotes",
    message: /runs on nodejs20.x, which AWS no longer supports: move it to .* nodejs24.x/,
  },
  {
    policy: "lambda-supported-runtime",
    title: "the same, seen in a preview",
    stack: "prod",
    phase: "preview",
    edit: (g) =>
      g.change(T.function, "createNote", (inputs) => {
        inputs.runtime = "python3.8";
      }),
    at: "createNote",
    message: /Function "createNote" runs on python3.8/,
  },

  // lambda-explicit-memory-and-timeout
  {
    policy: "lambda-explicit-memory-and-timeout",
    title: "a function without a timeout",
    stack: "dev",
    edit: (g) =>
      g.change(T.function, "updateNote", (inputs) => {
        delete inputs.timeout;
      }),
    at: "updateNote",
    message: /Function "updateNote" does not set timeout: Lambda's defaults/,
  },
  {
    policy: "lambda-explicit-memory-and-timeout",
    title: "a function with neither memory nor timeout",
    stack: "prod",
    edit: (g) =>
      g.change(T.function, "getNote", (inputs) => {
        delete inputs.memorySize;
        delete inputs.timeout;
      }),
    at: "getNote",
    message: /Function "getNote" does not set memorySize or timeout/,
  },

  // lambda-log-group-retention
  {
    policy: "lambda-log-group-retention",
    title: "a function's log group keeps logs forever",
    stack: "dev",
    edit: (g) =>
      g.change(T.logGroup, "listNotes", (inputs) => {
        delete inputs.retentionInDays;
      }),
    at: "listNotes",
    message:
      /Log group "listNotes" of function "listNotes" keeps its logs forever: set retentionInDays/,
  },
  {
    policy: "lambda-log-group-retention",
    title: "the same, seen in a preview",
    stack: "prod",
    phase: "preview",
    edit: (g) =>
      g.change(T.logGroup, "deleteNote", (inputs) => {
        inputs.retentionInDays = 0;
      }),
    at: "deleteNote",
    message: /Log group "deleteNote" of function "deleteNote" keeps its logs forever/,
  },
  {
    policy: "lambda-log-group-retention",
    title: "a function whose log group the stack does not declare",
    stack: "dev",
    edit: (g) =>
      g.remove(T.logGroup, "getNote").change(T.function, "getNote", (inputs) => {
        delete inputs.loggingConfig;
      }),
    at: "getNote",
    message:
      /Function "getNote" writes to \/aws\/lambda\/serverless-notes-dev-getNote, which no log group of the stack declares/,
  },

  {
    policy: "lambda-log-group-retention",
    title: "a function configured to log into a group the stack does not declare",
    stack: "prod",
    edit: (g) =>
      g.change(T.function, "listMembers", (inputs) => {
        inputs.loggingConfig = { logFormat: "Text", logGroup: "/serverless-notes/prod/members" };
      }),
    at: "listMembers",
    message:
      /Function "listMembers" writes to \/serverless-notes\/prod\/members, which no log group/,
  },

  // dynamodb-encryption-at-rest
  {
    policy: "dynamodb-encryption-at-rest",
    title: "a table without server-side encryption",
    stack: "dev",
    edit: (g) =>
      g.change(T.table, "Notes", (inputs) => {
        inputs.serverSideEncryption = { enabled: false };
      }),
    at: "Notes",
    message: /Table "Notes" does not enable server-side encryption/,
  },

  // dynamodb-production-recovery
  {
    policy: "dynamodb-production-recovery",
    title: "a production table without point-in-time recovery",
    stack: "prod",
    edit: (g) =>
      g.change(T.table, "Notes", (inputs) => {
        inputs.pointInTimeRecovery = { enabled: false };
      }),
    at: "Notes",
    message: /Production table "Notes" lacks point-in-time recovery/,
  },
  {
    policy: "dynamodb-production-recovery",
    title: "a production table anyone can delete",
    stack: "prod",
    edit: (g) =>
      g
        .change(T.table, "hello-member", (inputs) => {
          inputs.deletionProtectionEnabled = false;
        })
        .protect(T.table, "hello-member", false),
    at: "hello-member",
    message:
      /Production table "hello-member" lacks deletion protection \(deletionProtectionEnabled: true\), the Pulumi `protect` option/,
  },

  // apigateway-stage-throttling
  {
    policy: "apigateway-stage-throttling",
    title: "a stage without method settings",
    stack: "dev",
    edit: (g) => g.remove(T.methodSettings, "api"),
    at: "api",
    message: /Stage "api" is not throttled: add method settings for "\*\/\*"/,
  },
  {
    policy: "apigateway-stage-throttling",
    title: "the same, seen in a preview",
    stack: "prod",
    phase: "preview",
    edit: (g) => g.remove(T.methodSettings, "api"),
    at: "api",
    message: /Stage "api" is not throttled/,
  },
  {
    policy: "apigateway-stage-throttling",
    title: "method settings with metrics but no limits",
    stack: "prod",
    edit: (g) =>
      g.change(T.methodSettings, "api", (inputs) => {
        inputs.settings = { metricsEnabled: true };
      }),
    at: "api",
    message: /Stage "api" is not throttled/,
  },

  // apigateway-user-routes-authorized
  {
    policy: "apigateway-user-routes-authorized",
    title: "a user's export route without its authorizer",
    stack: "dev",
    edit: (g) =>
      g.change(T.method, "api-GET/users/{userId}/notes/export", (inputs) => {
        inputs.authorization = "NONE";
        delete inputs.authorizerId;
      }),
    at: "api-GET/users/{userId}/notes/export",
    message: /serves one user's data without an authorizer/,
  },
  {
    policy: "apigateway-user-routes-authorized",
    title: "the same, seen in a preview",
    stack: "prod",
    phase: "preview",
    edit: (g) =>
      g.change(T.method, "api-DELETE/users/{userId}/notes/{noteId}", (inputs) => {
        inputs.authorization = "NONE";
        delete inputs.authorizerId;
      }),
    at: "api-DELETE/users/{userId}/notes/{noteId}",
    message: /\/users\/\{userId\}\/notes\/\{noteId\}\) serves one user's data/,
  },

  // apigateway-production-stage-observability
  {
    policy: "apigateway-production-stage-observability",
    title: "a production stage without access logs",
    stack: "prod",
    edit: (g) =>
      g.change(T.stage, "api", (inputs) => {
        delete inputs.accessLogSettings;
      }),
    at: "api",
    message:
      /Production stage "api" lacks access logs \(accessLogSettings with destinationArn and format\)/,
  },
  {
    policy: "apigateway-production-stage-observability",
    title: "a production stage without X-Ray tracing",
    stack: "prod",
    edit: (g) =>
      g.change(T.stage, "api", (inputs) => {
        inputs.xrayTracingEnabled = false;
      }),
    at: "api",
    message: /Production stage "api" lacks X-Ray tracing \(xrayTracingEnabled: true\)/,
  },

  // s3-production-site-not-public
  {
    policy: "s3-production-site-not-public",
    title: "prod's site bucket is given S3 website hosting",
    stack: "prod",
    edit: (g) => {
      const bucket = g.find(T.bucket, "site");
      g.add(
        T.website,
        "site-website",
        { bucket: bucket.id, indexDocument: { suffix: "index.html" } },
        bucket,
      );
    },
    at: "site-website",
    message: /"site-website" serves a production bucket as a public S3 website/,
  },

  // cloudwatch-alarm-has-action
  {
    policy: "cloudwatch-alarm-has-action",
    title: "a function's error alarm notifies nobody",
    stack: "prod",
    edit: (g) =>
      g.change(T.alarm, "createNote-errors", (inputs) => {
        delete inputs.alarmActions;
      }),
    at: "createNote-errors",
    message: /Alarm "createNote-errors" has no alarm action, so nobody hears it fire/,
  },
  {
    policy: "cloudwatch-alarm-has-action",
    title: "the same, seen in a preview",
    stack: "prod",
    phase: "preview",
    edit: (g) =>
      g.change(T.alarm, "api-5xx", (inputs) => {
        inputs.alarmActions = [];
      }),
    at: "api-5xx",
    message: /Alarm "api-5xx" has no alarm action/,
  },

  // cloudfront-https-with-security-headers
  {
    policy: "cloudfront-https-with-security-headers",
    title: "the assets behaviour serves plain HTTP",
    stack: "prod",
    edit: (g) =>
      g.change(T.distribution, "site", (inputs) => {
        (inputs.orderedCacheBehaviors as Inputs[])[0].viewerProtocolPolicy = "allow-all";
      }),
    at: "site",
    message:
      /Distribution "site": the cache behaviour for "assets\/\*" lets viewers use plain HTTP \(viewerProtocolPolicy allow-all\)/,
  },
  {
    policy: "cloudfront-https-with-security-headers",
    title: "the default behaviour has no response headers policy",
    stack: "prod",
    edit: (g) =>
      g.change(T.distribution, "site", (inputs) => {
        delete (inputs.defaultCacheBehavior as Inputs).responseHeadersPolicyId;
      }),
    at: "site",
    message: /the default cache behaviour has no response headers policy/,
  },
];
