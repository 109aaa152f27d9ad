/**
 * What the pulumi-aws provider checks before `pulumi preview` can plan a resource, as data.
 *
 * Read from (paths inside each repository; no code copied):
 * - pulumi/pulumi-aws `provider/resources.go`: per-resource `tfbridge.AutoName*` fields and
 *   `setAutonaming` (every input called `name` gets `AutoName("name", 255, "-")`).
 * - pulumi/pulumi-terraform-bridge `pkg/tfbridge/info/autonaming.go` (`ComputeAutoNameDefault`),
 *   `pkg/tfbridge/schema.go` (`applyDefaults` skips a default whose ConflictsWith partner is set),
 *   `pkg/tfbridge/provider.go` (`Check`: defaults first, then `ValidateResource`),
 *   `pkg/tfbridge/check_failures.go` (`NewCheckFailure` appends "Examine values at ...").
 * - pulumi/pulumi `sdk/go/common/resource/resource_id.go` (`NewUniqueName` and its length error).
 * - hashicorp/terraform-plugin-sdk `helper/validation` (message text of StringMatch,
 *   StringLenBetween, StringInSlice, IntBetween, IntInSlice).
 * - hashicorp/terraform-provider-aws `internal/service/**` (the validators cited per row).
 *
 * Messages name the Terraform attribute (`{key}`) because that is what the validators print;
 * the bridge then points at the Pulumi property path.
 *
 * Not here, so not caught before a real `pulumi preview`/`up` (no validator found at preview, or
 * AWS alone refuses it when called): API Gateway gateway-response types, method authorization
 * types and stage-name characters; authorizer types and TTLs; metric alarm operators and
 * statistics; SQS and SNS name characters and lengths; Cognito pool and client names and token
 * validity ranges; DynamoDB table-name characters; S3 bucket-name characters (AWS refuses them at
 * create); IAM paths' slashes; Lambda permission principals; event-target ids; and the runtime
 * list, taken from the SDK's enum rather than the AWS SDK the provider validates with;
 * CloudFront's limits that only the service applies (a Content-Security-Policy over 1,783
 * characters, compression settings on a cache policy whose TTLs are 0, cache-policy and
 * response-headers-policy names), ACM's rule that a CloudFront certificate lives in us-east-1,
 * S3's server access logging target rules, and lifecycle day counts. Auto-names
 * the provider allows but AWS refuses: Cognito pools over 128 characters, FIFO queues whose
 * `.fifo` pushes them over 80.
 */

/**
 * How one property is checked; each kind renders the message of the validator it mirrors.
 * A `message` holding `{...}` placeholders is the whole text of a custom validator; a plain one is
 * the reason `validation.StringMatch` wraps as "invalid value for <key> (<reason>)".
 */
export type Rule =
  | { kind: "pattern"; pattern: string; message: string }
  | { kind: "length"; min: number; max: number; message?: string }
  | { kind: "oneOf"; values: readonly string[] }
  | { kind: "intRange"; min: number; max: number }
  | { kind: "intOneOf"; values: readonly number[] }
  | { kind: "notPattern"; pattern: string; message: string }
  | { kind: "conflictsWith"; other: string; otherKey: string }
  | { kind: "lambdaFunctionNameLength"; max: number };

export interface Constraint {
  type: string;
  /** Pulumi property path; `[]` iterates an array, `.` enters an object. */
  property: string;
  /** The Terraform attribute name the upstream message prints. */
  key: string;
  rule: Rule;
  source: string;
}

export interface AutoNameRule {
  type: string;
  property: string;
  separator: string;
  maxLength: number;
  randomLength: number;
  lowercase: boolean;
  /** Appends ".fifo" when this boolean input is true (SQS queue, SNS topic PostTransform). */
  fifoFlag?: string;
  /** The bridge adds no default when one of these (ConflictsWith partners) is set. */
  unlessSet: readonly string[];
  source: string;
}

const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const IAM_NAME = "^[\\w+=,.@-]*$";
const IAM_NAME_MESSAGE = "must match [\\w+=,.@-]";
const LAMBDA_NAME =
  "^(arn:[\\w-]+:lambda:)?([a-z]{2}-(?:[a-z]+-){1,2}\\d{1}:)?(\\d{12}:)?(function:)?([0-9A-Za-z_-]+)(:(\\$LATEST|[0-9A-Za-z_-]+))?$";
const LOG_GROUP_RETENTION = [
  0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
  3288, 3653,
] as const;
// The SDK's Runtime enum (types/enums/lambda); upstream validates with enum.Validate[types.Runtime].
const LAMBDA_RUNTIMES = [
  "dotnet6",
  "dotnet8",
  "dotnet10",
  "java11",
  "java17",
  "java21",
  "java25",
  "java8.al2",
  "nodejs18.x",
  "nodejs20.x",
  "nodejs22.x",
  "nodejs24.x",
  "provided.al2",
  "provided.al2023",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "python3.9",
  "ruby3.2",
  "ruby3.3",
  "ruby3.4",
  "dotnet5.0",
  "dotnet7",
  "dotnetcore2.1",
  "dotnetcore3.1",
  "go1.x",
  "java8",
  "nodejs10.x",
  "nodejs12.x",
  "nodejs14.x",
  "nodejs16.x",
  "provided",
  "python2.7",
  "python3.6",
  "python3.7",
  "python3.8",
  "ruby2.5",
  "ruby2.7",
] as const;

const CLOUDFRONT_DISTRIBUTION = "internal/service/cloudfront/distribution.go";
const CLOUDFRONT_OAC = "internal/service/cloudfront/origin_access_control.go";
const VIEWER_PROTOCOLS = ["allow-all", "https-only", "redirect-to-https"] as const;

/** `validation.StringInSlice` / `enum.Validate` rows of one resource type: property, key, values. */
function oneOfRows(
  type: string,
  file: string,
  rows: [property: string, key: string, values: readonly string[]][],
): Constraint[] {
  return rows.map(([property, key, values]) => ({
    type,
    property,
    key,
    rule: { kind: "oneOf", values },
    source: `${file} ${key} validation.StringInSlice / enum.Validate`,
  }));
}
const LAMBDA_VALIDATE = "internal/service/lambda/validate.go";
const IAM_VALIDATE = "internal/service/iam/validate.go validResourceName";

/** One row per (type, property, rule). */
export const CONSTRAINTS: readonly Constraint[] = [
  // Lambda permission
  ...["statementId", "statementIdPrefix"].flatMap((property): Constraint[] => {
    const key = property === "statementId" ? "statement_id" : "statement_id_prefix";
    const source = `internal/service/lambda/permission.go ${key} + ${LAMBDA_VALIDATE} validPolicyStatementID`;
    return [
      {
        type: "aws:lambda/permission:Permission",
        property,
        key,
        rule: {
          kind: "pattern",
          pattern: "^[0-9A-Za-z_-]+$",
          message: "must contain alphanumeric, underscores or dashes only",
        },
        source,
      },
      {
        type: "aws:lambda/permission:Permission",
        property,
        key,
        rule: { kind: "length", min: 1, max: 100 },
        source,
      },
    ];
  }),
  {
    type: "aws:lambda/permission:Permission",
    property: "statementId",
    key: "statement_id",
    rule: { kind: "conflictsWith", other: "statementIdPrefix", otherKey: "statement_id_prefix" },
    source: "internal/service/lambda/permission.go statement_id ConflictsWith",
  },
  {
    type: "aws:lambda/permission:Permission",
    property: "action",
    key: "action",
    rule: {
      kind: "pattern",
      pattern: "^(lambda:[*]|lambda:[A-Za-z]+|[*])$",
      message: "must be a valid action (usually starts with lambda:)",
    },
    source: `${LAMBDA_VALIDATE} validPermissionAction`,
  },
  ...functionNameRules("aws:lambda/permission:Permission", "function"),
  {
    type: "aws:lambda/permission:Permission",
    property: "qualifier",
    key: "qualifier",
    rule: {
      kind: "pattern",
      pattern: "^[0-9A-Za-z_$-]+$",
      message: "must contain alphanumeric, dollar signs, underscores or dashes only",
    },
    source: `${LAMBDA_VALIDATE} validQualifier`,
  },
  {
    type: "aws:lambda/permission:Permission",
    property: "qualifier",
    key: "qualifier",
    rule: { kind: "length", min: 1, max: 128 },
    source: `${LAMBDA_VALIDATE} validQualifier`,
  },
  {
    type: "aws:lambda/permission:Permission",
    property: "eventSourceToken",
    key: "event_source_token",
    rule: {
      kind: "pattern",
      pattern: "^[0-9A-Za-z_.-]+$",
      message: "must contain alphanumeric, periods, underscores or dashes only",
    },
    source: `${LAMBDA_VALIDATE} validPermissionEventSourceToken`,
  },
  {
    type: "aws:lambda/permission:Permission",
    property: "eventSourceToken",
    key: "event_source_token",
    rule: { kind: "length", min: 1, max: 256 },
    source: `${LAMBDA_VALIDATE} validPermissionEventSourceToken`,
  },

  // Lambda function
  ...functionNameRules("aws:lambda/function:Function", "name"),
  {
    type: "aws:lambda/function:Function",
    property: "memorySize",
    key: "memory_size",
    rule: { kind: "intRange", min: 128, max: 10240 },
    source: "internal/service/lambda/function.go memory_size validation.IntBetween(128, 10240)",
  },
  {
    type: "aws:lambda/function:Function",
    property: "timeout",
    key: "timeout",
    rule: { kind: "intRange", min: 1, max: 900 },
    source: "internal/service/lambda/function.go timeout validation.IntBetween(1, 900)",
  },
  {
    type: "aws:lambda/function:Function",
    property: "runtime",
    key: "runtime",
    rule: { kind: "oneOf", values: LAMBDA_RUNTIMES },
    source:
      "internal/service/lambda/function.go runtime enum.Validate[types.Runtime]; values from @pulumi/aws types/enums/lambda Runtime",
  },
  {
    type: "aws:lambda/function:Function",
    property: "architectures[]",
    key: "architectures.0",
    rule: { kind: "oneOf", values: ["x86_64", "arm64"] },
    source: "internal/service/lambda/function.go architectures enum.Validate[types.Architecture]",
  },
  {
    type: "aws:lambda/function:Function",
    property: "handler",
    key: "handler",
    rule: { kind: "length", min: 1, max: 128 },
    source: "internal/service/lambda/function.go handler validation.StringLenBetween(1, 128)",
  },

  // Lambda event invoke config
  {
    type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    property: "maximumEventAgeInSeconds",
    key: "maximum_event_age_in_seconds",
    rule: { kind: "intRange", min: 60, max: 21600 },
    source:
      "internal/service/lambda/function_event_invoke_config.go validation.IntBetween(60, 21600)",
  },
  {
    type: "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    property: "maximumRetryAttempts",
    key: "maximum_retry_attempts",
    rule: { kind: "intRange", min: 0, max: 2 },
    source: "internal/service/lambda/function_event_invoke_config.go validation.IntBetween(0, 2)",
  },

  // IAM
  ...iamNameRules("aws:iam/role:Role", 64, "internal/service/iam/role.go roleNameMaxLen"),
  {
    type: "aws:iam/role:Role",
    property: "path",
    key: "path",
    rule: { kind: "length", min: 0, max: 512 },
    source: "internal/service/iam/role.go path validation.StringLenBetween(0, 512)",
  },
  {
    type: "aws:iam/role:Role",
    property: "maxSessionDuration",
    key: "max_session_duration",
    rule: { kind: "intRange", min: 3600, max: 43200 },
    source: "internal/service/iam/role.go max_session_duration validation.IntBetween(3600, 43200)",
  },
  {
    type: "aws:iam/role:Role",
    property: "description",
    key: "description",
    rule: { kind: "length", min: 0, max: 1000 },
    source: "internal/service/iam/role.go description validation.StringLenBetween(0, 1000)",
  },
  ...iamNameRules("aws:iam/policy:Policy", 128, "internal/service/iam/policy.go policyNameMaxLen"),
  ...iamNameRules(
    "aws:iam/instanceProfile:InstanceProfile",
    128,
    "internal/service/iam/instance_profile.go instanceProfileNameMaxLen",
  ),
  ...iamNameRules(
    "aws:iam/rolePolicy:RolePolicy",
    128,
    "internal/service/iam/role_policy.go rolePolicyNameMaxLen",
  ),
  {
    type: "aws:iam/rolePolicy:RolePolicy",
    property: "role",
    key: "role",
    rule: { kind: "length", min: 1, max: 128 },
    source: "internal/service/iam/validate.go validRolePolicyRole",
  },
  {
    type: "aws:iam/rolePolicy:RolePolicy",
    property: "role",
    key: "role",
    rule: {
      kind: "notPattern",
      pattern: "^arn:[^:]*:[^:]*:",
      message: "{qkey} must be the role's name not its ARN",
    },
    source: "internal/service/iam/validate.go validRolePolicyRole",
  },

  // CloudWatch Logs
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "name",
    key: "name",
    rule: {
      kind: "length",
      min: 0,
      max: 512,
      message: "{qkey} cannot be longer than 512 characters: {qvalue}",
    },
    source: "internal/service/logs/validate.go validLogGroupName",
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "name",
    key: "name",
    rule: {
      kind: "pattern",
      pattern: "^[0-9A-Za-z_./#-]+$",
      message:
        "{qkey} isn't a valid log group name (alphanumeric characters, underscores, hyphens, slashes, hash signs and dots are allowed): {qvalue}",
    },
    source: "internal/service/logs/validate.go validLogGroupName",
  },
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "namePrefix",
    key: "name_prefix",
    rule: {
      kind: "length",
      min: 0,
      max: 483,
      message: "{qkey} cannot be longer than 483 characters: {qvalue}",
    },
    source: "internal/service/logs/validate.go validLogGroupNamePrefix",
  },
  conflict("aws:cloudwatch/logGroup:LogGroup", "internal/service/logs/group.go name ConflictsWith"),
  {
    type: "aws:cloudwatch/logGroup:LogGroup",
    property: "retentionInDays",
    key: "retention_in_days",
    rule: { kind: "intOneOf", values: LOG_GROUP_RETENTION },
    source: "internal/service/logs/group.go retention_in_days validation.IntInSlice",
  },

  // EventBridge
  ...["name", "namePrefix"].flatMap((property): Constraint[] => {
    const key = property === "name" ? "name" : "name_prefix";
    const source = `internal/service/events/rule.go ${key} + internal/service/events/validate.go validateRuleName`;
    return [
      {
        type: "aws:cloudwatch/eventRule:EventRule",
        property,
        key,
        rule: {
          kind: "length",
          min: 0,
          max: 64,
          message: "{qkey} cannot be longer than 64 characters: {qvalue}",
        },
        source,
      },
      {
        type: "aws:cloudwatch/eventRule:EventRule",
        property,
        key,
        rule: {
          kind: "pattern",
          pattern: "^[0-9A-Za-z_.-]+$",
          message: '{qkey} doesn\'t comply with restrictions ("^[0-9A-Za-z_.-]+$"): {qvalue}',
        },
        source,
      },
    ];
  }),
  conflict(
    "aws:cloudwatch/eventRule:EventRule",
    "internal/service/events/rule.go name ConflictsWith",
  ),
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "scheduleExpression",
    key: "schedule_expression",
    rule: { kind: "length", min: 0, max: 256 },
    source:
      "internal/service/events/rule.go schedule_expression validation.StringLenBetween(0, 256)",
  },
  {
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "description",
    key: "description",
    rule: { kind: "length", min: 0, max: 512 },
    source: "internal/service/events/rule.go description validation.StringLenBetween(0, 512)",
  },

  {
    // Upstream measures the pattern after normalising its JSON; the program writes it compact.
    type: "aws:cloudwatch/eventRule:EventRule",
    property: "eventPattern",
    key: "event_pattern",
    rule: {
      kind: "length",
      min: 0,
      max: 4096,
      message: "{qkey} cannot be longer than 4096 characters: {qvalue}",
    },
    source:
      "internal/service/events/rule.go event_pattern validateEventPatternValue (maxJSONLength 4096)",
  },

  // Step Functions
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "name",
    key: "name",
    rule: {
      kind: "length",
      min: 0,
      max: 80,
      message: "{qkey} cannot be longer than 80 characters",
    },
    source:
      "internal/service/sfn/state_machine.go name + internal/service/sfn/validate.go validStateMachineName",
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "name",
    key: "name",
    rule: {
      kind: "pattern",
      pattern: "^[a-zA-Z0-9_-]+$",
      message: "{qkey} must be composed with only these characters [a-zA-Z0-9-_]: {value}",
    },
    source:
      "internal/service/sfn/state_machine.go name + internal/service/sfn/validate.go validStateMachineName",
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "definition",
    key: "definition",
    rule: { kind: "length", min: 0, max: 1024 * 1024 },
    source:
      "internal/service/sfn/state_machine.go definition validation.StringLenBetween(0, 1024*1024)",
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "type",
    key: "type",
    rule: { kind: "oneOf", values: ["STANDARD", "EXPRESS"] },
    source:
      "internal/service/sfn/state_machine.go type validation.StringInSlice(sfn.StateMachineType_Values(), false)",
  },
  {
    type: "aws:sfn/stateMachine:StateMachine",
    property: "loggingConfiguration.level",
    key: "level",
    rule: { kind: "oneOf", values: ["ALL", "ERROR", "FATAL", "OFF"] },
    source:
      "internal/service/sfn/state_machine.go logging_configuration.level validation.StringInSlice(sfn.LogLevel_Values(), false)",
  },

  // API Gateway integration
  {
    type: "aws:apigateway/integration:Integration",
    property: "type",
    key: "type",
    rule: { kind: "oneOf", values: ["HTTP", "AWS", "MOCK", "HTTP_PROXY", "AWS_PROXY"] },
    source: "internal/service/apigateway/integration.go type validation.StringInSlice",
  },
  {
    type: "aws:apigateway/integration:Integration",
    property: "passthroughBehavior",
    key: "passthrough_behavior",
    rule: { kind: "oneOf", values: ["WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER"] },
    source:
      "internal/service/apigateway/integration.go passthrough_behavior validation.StringInSlice",
  },
  {
    type: "aws:apigateway/integration:Integration",
    property: "connectionType",
    key: "connection_type",
    rule: { kind: "oneOf", values: ["INTERNET", "VPC_LINK"] },
    source: "internal/service/apigateway/integration.go connection_type validation.StringInSlice",
  },

  // S3 bucket
  {
    type: "aws:s3/bucket:Bucket",
    property: "bucket",
    key: "bucket",
    rule: { kind: "length", min: 0, max: 63 },
    source: "internal/service/s3/bucket.go bucket validation.StringLenBetween(0, 63)",
  },
  {
    type: "aws:s3/bucket:Bucket",
    property: "bucketPrefix",
    key: "bucket_prefix",
    rule: { kind: "length", min: 0, max: 37 },
    source:
      "internal/service/s3/bucket.go bucket_prefix validation.StringLenBetween(0, 63-id.UniqueIDSuffixLength)",
  },
  {
    type: "aws:s3/bucket:Bucket",
    property: "bucket",
    key: "bucket",
    rule: { kind: "conflictsWith", other: "bucketPrefix", otherKey: "bucket_prefix" },
    source: "internal/service/s3/bucket.go bucket ConflictsWith bucket_prefix",
  },

  // CloudFront. Allowed values as the validators' enums list them (and @pulumi/aws's generated
  // docs repeat them).
  ...oneOfRows("aws:cloudfront/distribution:Distribution", CLOUDFRONT_DISTRIBUTION, [
    ["httpVersion", "http_version", ["http1.1", "http2", "http2and3", "http3"]],
    ["priceClass", "price_class", ["PriceClass_All", "PriceClass_200", "PriceClass_100"]],
    ["defaultCacheBehavior.viewerProtocolPolicy", "viewer_protocol_policy", VIEWER_PROTOCOLS],
    ["orderedCacheBehaviors[].viewerProtocolPolicy", "viewer_protocol_policy", VIEWER_PROTOCOLS],
    ["viewerCertificate.sslSupportMethod", "ssl_support_method", ["sni-only", "static-ip", "vip"]],
    [
      "restrictions.geoRestriction.restrictionType",
      "restriction_type",
      ["none", "whitelist", "blacklist"],
    ],
  ]),
  {
    type: "aws:cloudfront/originAccessControl:OriginAccessControl",
    property: "name",
    key: "name",
    rule: { kind: "length", min: 1, max: 64 },
    source: `${CLOUDFRONT_OAC} name validation.StringLenBetween(1, 64)`,
  },
  {
    type: "aws:cloudfront/originAccessControl:OriginAccessControl",
    property: "description",
    key: "description",
    rule: { kind: "length", min: 0, max: 256 },
    source: `${CLOUDFRONT_OAC} description validation.StringLenBetween(0, 256)`,
  },
  ...oneOfRows("aws:cloudfront/originAccessControl:OriginAccessControl", CLOUDFRONT_OAC, [
    [
      "originAccessControlOriginType",
      "origin_access_control_origin_type",
      ["lambda", "mediapackagev2", "mediastore", "s3"],
    ],
    ["signingBehavior", "signing_behavior", ["always", "never", "no-override"]],
    ["signingProtocol", "signing_protocol", ["sigv4"]],
  ]),
  ...oneOfRows(
    "aws:cloudfront/cachePolicy:CachePolicy",
    "internal/service/cloudfront/cache_policy.go",
    [
      [
        "parametersInCacheKeyAndForwardedToOrigin.cookiesConfig.cookieBehavior",
        "cookie_behavior",
        ["none", "whitelist", "allExcept", "all"],
      ],
      [
        "parametersInCacheKeyAndForwardedToOrigin.headersConfig.headerBehavior",
        "header_behavior",
        ["none", "whitelist"],
      ],
      [
        "parametersInCacheKeyAndForwardedToOrigin.queryStringsConfig.queryStringBehavior",
        "query_string_behavior",
        ["none", "whitelist", "allExcept", "all"],
      ],
    ],
  ),
  ...oneOfRows(
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
    "internal/service/cloudfront/response_headers_policy.go",
    [
      ["securityHeadersConfig.frameOptions.frameOption", "frame_option", ["DENY", "SAMEORIGIN"]],
      [
        "securityHeadersConfig.referrerPolicy.referrerPolicy",
        "referrer_policy",
        [
          "no-referrer",
          "no-referrer-when-downgrade",
          "origin",
          "origin-when-cross-origin",
          "same-origin",
          "strict-origin",
          "strict-origin-when-cross-origin",
          "unsafe-url",
        ],
      ],
    ],
  ),

  // ACM and Route 53 (the custom domain)
  {
    type: "aws:acm/certificate:Certificate",
    property: "domainName",
    key: "domain_name",
    rule: { kind: "length", min: 1, max: 253 },
    source: "internal/service/acm/certificate.go domain_name validation.StringLenBetween(1, 253)",
  },
  {
    type: "aws:acm/certificate:Certificate",
    property: "domainName",
    key: "domain_name",
    rule: { kind: "notPattern", pattern: "\\.$", message: "{qkey} cannot end with a period" },
    source:
      'internal/service/acm/certificate.go domain_name validation.StringDoesNotMatch(`\\.$`, "cannot end with a period")',
  },
  ...oneOfRows("aws:acm/certificate:Certificate", "internal/service/acm/certificate.go", [
    ["validationMethod", "validation_method", ["DNS", "EMAIL", "NONE"]],
  ]),
  ...oneOfRows("aws:route53/record:Record", "internal/service/route53/record.go", [
    [
      "type",
      "type",
      [
        ...["A", "AAAA", "CAA", "CNAME", "DS", "HTTPS", "MX", "NAPTR", "NS", "PTR", "SOA"],
        ...["SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT"],
      ],
    ],
  ]),

  // SNS (the alarm topic)
  ...oneOfRows(
    "aws:sns/topicSubscription:TopicSubscription",
    "internal/service/sns/topic_subscription.go",
    [
      [
        "protocol",
        "protocol",
        ["application", "email", "email-json", "firehose", "http", "https", "lambda", "sms", "sqs"],
      ],
    ],
  ),

  // S3 server access logs and lifecycle
  {
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    property: "rules[].id",
    key: "id",
    rule: { kind: "length", min: 1, max: 255 },
    source:
      "internal/service/s3/bucket_lifecycle_configuration.go rule.id stringvalidator.LengthBetween(1, 255)",
  },
  ...oneOfRows(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "internal/service/s3/bucket_lifecycle_configuration.go",
    [["rules[].status", "status", ["Enabled", "Disabled"]]],
  ),
  // More of the lifecycle configuration (a Plugin Framework resource: its validators report
  // "Attribute <path> <problem>, got: <value>"; rendered here in the wording of the other rows).
  {
    type: LIFECYCLE,
    property: "bucket",
    key: "bucket",
    rule: { kind: "length", min: 1, max: 63 },
    source:
      "internal/service/s3/bucket_lifecycle_configuration.go bucket stringvalidator.LengthBetween(1, 63)",
  },
  {
    type: LIFECYCLE,
    property: "rules[].noncurrentVersionExpiration.noncurrentDays",
    key: "rule.noncurrent_version_expiration.noncurrent_days",
    rule: { kind: "intRange", min: 1, max: 2_147_483_647 },
    source:
      "internal/service/s3/bucket_lifecycle_configuration.go noncurrent_version_expiration.noncurrent_days int32validator.AtLeast(1)",
  },
];

/** Auto-named properties: filled at Check (also at preview) when the program left them unset. */
export const AUTO_NAMES: readonly AutoNameRule[] = [
  autoName(
    "aws:lambda/permission:Permission",
    "statementId",
    100,
    ["statementIdPrefix"],
    'aws_lambda_permission "statement_id": tfbridge.AutoName("statementId", 100, "-")',
  ),
  autoName(
    "aws:lambda/function:Function",
    "name",
    64,
    [],
    'aws_lambda_function "function_name": tfbridge.AutoName("name", 64, "-")',
  ),
  autoName(
    "aws:iam/role:Role",
    "name",
    64,
    ["namePrefix"],
    'aws_iam_role "name": tfbridge.AutoName("name", 64, "-")',
  ),
  autoName(
    "aws:cloudwatch/eventRule:EventRule",
    "name",
    64,
    ["namePrefix"],
    'aws_cloudwatch_event_rule "name": tfbridge.AutoName("name", 64, "-")',
  ),
  autoName(
    "aws:cloudwatch/eventTarget:EventTarget",
    "targetId",
    255,
    [],
    'aws_cloudwatch_event_target "target_id": tfbridge.AutoName("targetId", 255, "-")',
  ),
  autoName(
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "name",
    255,
    [],
    'aws_cloudwatch_metric_alarm "alarm_name": tfbridge.AutoName("name", 255, "-")',
  ),
  {
    ...autoName(
      "aws:s3/bucket:Bucket",
      "bucket",
      63,
      ["bucketPrefix"],
      'aws_s3_bucket "bucket": tfbridge.AutoNameTransform("bucket", 63, strings.ToLower)',
    ),
    lowercase: true,
  },
  {
    ...autoName(
      "aws:sqs/queue:Queue",
      "name",
      80,
      ["namePrefix"],
      'aws_sqs_queue "name": AutoNameWithCustomOptions{Maxlen: 80, Randlen: 7, PostTransform: ".fifo" when fifoQueue}',
    ),
    fifoFlag: "fifoQueue",
  },
  {
    ...autoName(
      "aws:sns/topic:Topic",
      "name",
      80,
      ["namePrefix"],
      'aws_sns_topic "name": AutoNameWithCustomOptions{Maxlen: 80, Randlen: 7, PostTransform: ".fifo" when fifoTopic}',
    ),
    fifoFlag: "fifoTopic",
  },
  // setAutonaming: every other resource whose input `name` is a string gets AutoName("name", 255, "-").
  ...(
    [
      ["aws:cloudwatch/logGroup:LogGroup", ["namePrefix"]],
      ["aws:apigateway/restApi:RestApi", []],
      ["aws:iam/policy:Policy", ["namePrefix"]],
      ["aws:iam/instanceProfile:InstanceProfile", ["namePrefix"]],
      ["aws:iam/rolePolicy:RolePolicy", ["namePrefix"]],
      ["aws:dynamodb/table:Table", []],
      ["aws:apigateway/authorizer:Authorizer", []],
      ["aws:cognito/userPool:UserPool", []],
      ["aws:cognito/userPoolClient:UserPoolClient", []],
      ["aws:cloudfront/originAccessControl:OriginAccessControl", []],
      ["aws:cloudfront/cachePolicy:CachePolicy", []],
      ["aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", []],
    ] as const
  ).map(([type, unlessSet]) =>
    autoName(type, "name", 255, unlessSet, 'setAutonaming: tfbridge.AutoName("name", 255, "-")'),
  ),
];

function autoName(
  type: string,
  property: string,
  maxLength: number,
  unlessSet: readonly string[],
  field: string,
): AutoNameRule {
  return {
    type,
    property,
    separator: "-",
    maxLength,
    randomLength: 7,
    lowercase: false,
    unlessSet,
    source: `pulumi-aws provider/resources.go ${field}`,
  };
}

/** validFunctionName: the pattern, 1..140 overall, and at most 64 for the name part of an ARN. */
function functionNameRules(type: string, property: string): Constraint[] {
  const source = `${LAMBDA_VALIDATE} validFunctionName`;
  return [
    {
      type,
      property,
      key: "function_name",
      rule: {
        kind: "pattern",
        pattern: LAMBDA_NAME,
        message: "must be valid function name or function ARN",
      },
      source,
    },
    { type, property, key: "function_name", rule: { kind: "length", min: 1, max: 140 }, source },
    {
      type,
      property,
      key: "function_name",
      rule: { kind: "lambdaFunctionNameLength", max: 64 },
      source,
    },
  ];
}

/** validResourceName(max) for `name` and validResourceName(max - 26) for `namePrefix`. */
function iamNameRules(type: string, max: number, constant: string): Constraint[] {
  const rows: Constraint[] = [];
  for (const [property, key, limit] of [
    ["name", "name", max],
    ["namePrefix", "name_prefix", max - 26],
  ] as const) {
    const source = `${constant} + ${IAM_VALIDATE}`;
    rows.push(
      { type, property, key, rule: { kind: "length", min: 1, max: limit }, source },
      {
        type,
        property,
        key,
        rule: { kind: "pattern", pattern: IAM_NAME, message: IAM_NAME_MESSAGE },
        source,
      },
    );
  }
  rows.push(conflict(type, `${constant.split(" ")[0]} name ConflictsWith`));
  return rows;
}

function conflict(type: string, source: string): Constraint {
  return {
    type,
    property: "name",
    key: "name",
    rule: { kind: "conflictsWith", other: "namePrefix", otherKey: "name_prefix" },
    source,
  };
}
