// What the program declared, read back as a local application: tables, functions (code, settings
// and role policies), the API's resources, methods and integrations, the site's objects, the
// buckets and their notifications, EventBridge rules and targets, and state machines.
// Everything here comes from the recorded graph; nothing is listed a second time by hand.
import * as fs from "node:fs";
import { assetMap } from "./lambdaArchive";
import type { AssetMap } from "./lambdaArchive";
import { cloudFrontSite } from "./cloudfront";
import type { RecordedResource, RecordedStack } from "./recordStack";

export interface KeyAttribute {
  name: string;
  type: string;
}

export interface LocalIndex {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** `ALL`, `KEYS_ONLY` or `INCLUDE` (with these attributes). */
  projectionType: string;
  nonKeyAttributes?: string[];
}

export interface LocalTable {
  name: string;
  arn: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  globalIndexes: LocalIndex[];
  /** Local indexes share the table's partition key. */
  localIndexes: LocalIndex[];
}

/** An IAM statement as declared (single values are left as the program wrote them). */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
}

export interface LocalFunction {
  name: string;
  arn: string;
  /** `__index.handler`: file and export of the archive's entry point. */
  handler: string;
  /** The code archive's entries; the bundled handler is `__index.js`. */
  archive: AssetMap;
  environment: Record<string, string>;
  timeoutSeconds: number;
  memoryMb: number;
  /** The declared Lambda runtime, e.g. `nodejs24.x`. */
  runtime: string;
  roleArn: string;
  roleName: string;
  /** Every statement of the role's inline policies. */
  statements: PolicyStatement[];
  /** Managed policies attached to the role (ARNs); the local app cannot read their contents. */
  managedPolicyArns: string[];
}

export type LocalIntegration =
  | { type: "AWS_PROXY"; functionName: string }
  | {
      type: "MOCK";
      responses: {
        statusCode: string;
        selectionPattern?: string;
        responseParameters: Record<string, string>;
        responseTemplates: Record<string, string>;
      }[];
    };

export interface LocalMethod {
  /** `GET`, …, `OPTIONS` or `ANY`. */
  httpMethod: string;
  /** The resource path with `{param}` segments. */
  path: string;
  integration: LocalIntegration;
  /** Where the method is `COGNITO_USER_POOLS`: the user pools whose ID tokens it accepts. */
  userPoolIds?: string[];
  /**
   * How long API Gateway keeps the authorizer's answer for a token (the authorizer's
   * `authorizerResultTtlInSeconds`; 300 when unset, 0 turns caching off).
   */
  authorizerTtlSeconds?: number;
}

export interface LocalGatewayResponse {
  responseType: string;
  statusCode?: string;
  responseParameters: Record<string, string>;
  responseTemplates?: Record<string, string>;
}

/** A Cognito user pool and its app clients, as the program declares them. */
export interface LocalUserPool {
  id: string;
  name: string;
  usernameAttributes: string[];
  autoVerifiedAttributes: string[];
  passwordPolicy: Record<string, unknown>;
  clients: {
    id: string;
    name: string;
    explicitAuthFlows: string[];
    idTokenValidity: number;
    accessTokenValidity: number;
    refreshTokenValidity: number;
    tokenValidityUnits: { idToken: string; accessToken: string; refreshToken: string };
  }[];
}

export interface LocalApi {
  /** The REST API's id: its cloud origin is `https://<id>.execute-api.<region>.amazonaws.com`. */
  id?: string;
  name: string;
  stageName: string;
  /** Every declared resource path, `/` included. */
  paths: string[];
  methods: LocalMethod[];
  gatewayResponses: LocalGatewayResponse[];
  /** The stage-wide throttle (method settings for every method): requests a second, and burst. */
  throttle?: { rateLimit: number; burstLimit: number };
}

export interface LocalObject {
  key: string;
  contentType: string;
  cacheControl?: string;
  body: Buffer;
}

export interface LocalSite {
  bucket: string;
  /** Default an S3 website endpoint; or CloudFront before a private bucket (local/cloudfront.ts). */
  hosting?: "s3-website" | "cloudfront";
  /** The website's index document, or the distribution's default root object. */
  indexDocument: string;
  errorDocument?: string;
  /** CloudFront: the status its error document is answered with (S3 websites say 404). */
  errorStatus?: number;
  /** CloudFront: its response headers policy's headers, on every response. */
  headers?: Record<string, string>;
  objects: LocalObject[];
}

/** A bucket as declared, with the objects the program uploads into it. */
export interface LocalBucket {
  name: string;
  arn: string;
  /** The bucket's notification sends every event to EventBridge (`eventbridge: true`). */
  eventBridge: boolean;
  /** Declared versioning; the local S3 keeps one version per key whatever this says. */
  versioning: boolean;
  objects: LocalObject[];
}

/** What an EventBridge target receives instead of the whole event, where it says. */
export interface LocalTargetInput {
  /** A constant JSON text (`input`). */
  input?: string;
  /** A JSONPath into the event (`inputPath`). */
  inputPath?: string;
}

/** An EventBridge rule on the default bus: an event pattern or a schedule, and its targets. */
export interface LocalRule {
  name: string;
  arn: string;
  description?: string;
  eventPattern?: Record<string, unknown>;
  scheduleExpression?: string;
  enabled: boolean;
  targets: (LocalTargetInput & {
    id: string;
    /** A Lambda function's or a state machine's ARN. */
    arn: string;
    /** The role EventBridge assumes to reach the target (state machines need one). */
    role?: LocalRole;
    /** Target settings the local bus does not apply, named so they can be reported. */
    unsupported: string[];
  })[];
}

/** A role and what its inline policies allow. */
export interface LocalRole {
  arn: string;
  name: string;
  /** Every statement of the role's inline policies. */
  statements: PolicyStatement[];
  /** Managed policies attached to the role (ARNs); the local app cannot read their contents. */
  managedPolicyArns: string[];
}

/** A Step Functions state machine: its definition and the role its tasks run under. */
export interface LocalStateMachine {
  name: string;
  arn: string;
  /** `STANDARD` or `EXPRESS`. */
  type: string;
  definition: Record<string, unknown>;
  role: LocalRole;
}

/** A statement of a function's resource-based policy (`aws.lambda.Permission`). */
export interface LocalPermission {
  functionName: string;
  action: string;
  principal: string;
  sourceArn?: string;
}

export interface LocalApp {
  stack: string;
  region: string;
  tables: LocalTable[];
  functions: LocalFunction[];
  api: LocalApi;
  site: LocalSite;
  userPools: LocalUserPool[];
  buckets: LocalBucket[];
  rules: LocalRule[];
  stateMachines: LocalStateMachine[];
  permissions: LocalPermission[];
  outputs: Record<string, unknown>;
}

/** A secondary index as `aws.dynamodb.Table` takes it. */
interface DeclaredIndex {
  name: string;
  hashKey?: string;
  rangeKey?: string;
  keySchemas?: { attributeName: string; keyType: string }[];
  projectionType: string;
  nonKeyAttributes?: string[];
}

export const str = (v: unknown): string => (typeof v === "string" ? v : String(v ?? ""));
const record = (v: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((v as Record<string, unknown>) ?? {}).map(([k, x]) => [k, str(x)]),
  );

// The throttle of the method settings for every method ("*/*"), when the stage declares one.
function stageThrottle(settings: RecordedResource[]): LocalApi["throttle"] {
  const all = settings.find((s) => s.inputs.methodPath === "*/*")?.inputs.settings as
    { throttlingRateLimit?: number; throttlingBurstLimit?: number } | undefined;
  if (all?.throttlingRateLimit === undefined || all.throttlingBurstLimit === undefined) return;
  return { rateLimit: all.throttlingRateLimit, burstLimit: all.throttlingBurstLimit };
}

export function only<T>(items: T[], what: string): T {
  if (items.length !== 1)
    throw new Error(`the program declares ${items.length} ${what}; expected one`);
  return items[0];
}

function parsePolicy(policy: unknown): PolicyStatement[] {
  const doc = (typeof policy === "string" ? JSON.parse(policy) : policy) as {
    Statement?: PolicyStatement | PolicyStatement[];
  };
  const statements = doc?.Statement ?? [];
  return Array.isArray(statements) ? statements : [statements];
}

/** A bucket's declared objects, with their bodies as the program gives them. */
export function objectsOf(all: RecordedResource[], bucketId: unknown): LocalObject[] {
  return all
    .filter((o) => o.type === "aws:s3/bucketObject:BucketObject" && o.inputs.bucket === bucketId)
    .map((o) => {
      const source = (o.inputs.source as { $asset?: { path?: string; text?: string } })?.$asset;
      const body =
        o.inputs.content !== undefined
          ? Buffer.from(str(o.inputs.content))
          : source?.path
            ? fs.readFileSync(source.path)
            : Buffer.from(source?.text ?? "");
      return {
        key: str(o.inputs.key),
        contentType: str(o.inputs.contentType) || "binary/octet-stream",
        cacheControl: o.inputs.cacheControl as string | undefined,
        body,
      };
    });
}

/** The S3 website: the one bucket with a website configuration, and its objects. */
function websiteSite(all: RecordedResource[]): LocalSite {
  const website = only(
    all.filter((r) => r.type === "aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration"),
    "website buckets",
  );
  const bucket = all.find(
    (r) => r.type === "aws:s3/bucket:Bucket" && r.id === website.inputs.bucket,
  );
  return {
    bucket: str(bucket?.state.bucket ?? website.inputs.bucket),
    hosting: "s3-website",
    indexDocument:
      str((website.inputs.indexDocument as { suffix?: string })?.suffix) || "index.html",
    errorDocument: (website.inputs.errorDocument as { key?: string } | undefined)?.key,
    objects: objectsOf(all, website.inputs.bucket),
  };
}

export function buildModel(recorded: RecordedStack): LocalApp {
  if (recorded.error) throw new Error(`the ${recorded.stack} program failed: ${recorded.error}`);
  const all = recorded.resources;
  const ofType = (type: string) => all.filter((r) => r.type === `aws:${type}`);

  const tables: LocalTable[] = ofType("dynamodb/table:Table").map((t) => {
    const attributes = (t.inputs.attributes as KeyAttribute[]) ?? [];
    const attribute = (name: unknown) => {
      const found = attributes.find((a) => a.name === name);
      if (!found) throw new Error(`table ${str(t.state.name)} has no attribute ${str(name)}`);
      return { name: found.name, type: found.type };
    };
    const index = (declared: DeclaredIndex, partitionKey?: unknown): LocalIndex => {
      const keyNamed = (type: string) =>
        declared.keySchemas?.find((k) => k.keyType === type)?.attributeName;
      const hash = partitionKey ?? declared.hashKey ?? keyNamed("HASH");
      const range = declared.rangeKey ?? keyNamed("RANGE");
      return {
        name: declared.name,
        partitionKey: attribute(hash),
        sortKey: range ? attribute(range) : undefined,
        projectionType: declared.projectionType,
        nonKeyAttributes: declared.nonKeyAttributes,
      };
    };
    return {
      name: str(t.state.name),
      arn: str(t.state.arn),
      partitionKey: attribute(t.inputs.hashKey),
      sortKey: t.inputs.rangeKey ? attribute(t.inputs.rangeKey) : undefined,
      globalIndexes: ((t.inputs.globalSecondaryIndexes as DeclaredIndex[]) ?? []).map((i) =>
        index(i),
      ),
      localIndexes: ((t.inputs.localSecondaryIndexes as DeclaredIndex[]) ?? []).map((i) =>
        index(i, t.inputs.hashKey),
      ),
    };
  });

  const roles = ofType("iam/role:Role");
  /** The declared role with this ARN and what its policies say; undefined when none is. */
  const roleWithArn = (arn: unknown): LocalRole | undefined => {
    const role = roles.find((r) => r.state.arn === arn);
    if (!role) return undefined;
    return {
      arn: str(role.state.arn),
      name: str(role.state.name),
      statements: ofType("iam/rolePolicy:RolePolicy")
        .filter((p) => p.inputs.role === role.id || p.inputs.role === role.state.name)
        .flatMap((p) => parsePolicy(p.inputs.policy)),
      managedPolicyArns: ofType("iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => a.inputs.role === role.state.name)
        .map((a) => str(a.inputs.policyArn)),
    };
  };
  const functions: LocalFunction[] = ofType("lambda/function:Function").map((f) => {
    const role = roleWithArn(f.inputs.role);
    if (!role) throw new Error(`function ${str(f.state.name)} has no declared role`);
    const { statements, managedPolicyArns } = role;
    return {
      name: str(f.state.name),
      arn: str(f.state.arn),
      handler: str(f.inputs.handler),
      archive: assetMap(f.inputs.code),
      environment: record((f.inputs.environment as { variables?: unknown })?.variables),
      timeoutSeconds: Number(f.inputs.timeout ?? 3),
      memoryMb: Number(f.inputs.memorySize ?? 128),
      runtime: str(f.inputs.runtime),
      roleArn: role.arn,
      roleName: role.name,
      statements,
      managedPolicyArns,
    };
  });

  const restApi = only(ofType("apigateway/restApi:RestApi"), "REST APIs");
  const stage = only(ofType("apigateway/stage:Stage"), "API stages");
  const resources = ofType("apigateway/resource:Resource");
  const pathOf = (resourceId: unknown): string => {
    if (resourceId === restApi.state.rootResourceId) return "/";
    const resource = resources.find((r) => r.id === resourceId);
    if (!resource) throw new Error(`no API resource has the id ${str(resourceId)}`);
    const parent = pathOf(resource.inputs.parentId);
    return `${parent === "/" ? "" : parent}/${str(resource.inputs.pathPart)}`;
  };
  const sameMethod = (a: RecordedResource, b: RecordedResource) =>
    a.inputs.resourceId === b.inputs.resourceId && a.inputs.httpMethod === b.inputs.httpMethod;
  const functionByInvokeArn = (uri: unknown) => {
    const fn = ofType("lambda/function:Function").find((f) => f.state.invokeArn === uri);
    if (!fn) throw new Error(`no function has the invoke ARN ${str(uri)}`);
    return str(fn.state.name);
  };
  // A Cognito authorizer names its pools by ARN; the emulator knows them by id.
  const pools = ofType("cognito/userPool:UserPool");
  const userPoolsOf = (m: RecordedResource): string[] | undefined => {
    if (m.inputs.authorization === "NONE" || m.inputs.authorization === undefined) return undefined;
    const authorizer = ofType("apigateway/authorizer:Authorizer").find(
      (a) => a.id === m.inputs.authorizerId,
    );
    if (m.inputs.authorization !== "COGNITO_USER_POOLS" || !authorizer) {
      throw new Error(`${str(m.name)}: only Cognito user pool authorizers are run locally`);
    }
    return ((authorizer.inputs.providerArns as unknown[]) ?? []).map((arn) => {
      const pool = pools.find((p) => p.state.arn === arn);
      if (!pool) throw new Error(`no user pool has the ARN ${str(arn)}`);
      return str(pool.id);
    });
  };
  const authorizerTtlOf = (m: RecordedResource): number | undefined => {
    const authorizer = ofType("apigateway/authorizer:Authorizer").find(
      (a) => a.id === m.inputs.authorizerId,
    );
    if (!authorizer) return undefined;
    const ttl = authorizer.inputs.authorizerResultTtlInSeconds;
    return typeof ttl === "number" ? ttl : 300;
  };
  const methods: LocalMethod[] = ofType("apigateway/method:Method").map((m) => {
    const integration = ofType("apigateway/integration:Integration").find((i) => sameMethod(i, m));
    const path = pathOf(m.inputs.resourceId);
    const httpMethod = str(m.inputs.httpMethod);
    if (!integration) throw new Error(`${httpMethod} ${path} has no integration`);
    const type = str(integration.inputs.type);
    const userPoolIds = userPoolsOf(m);
    const authorizerTtlSeconds = userPoolIds ? authorizerTtlOf(m) : undefined;
    if (type === "AWS_PROXY") {
      return {
        httpMethod,
        path,
        integration: { type, functionName: functionByInvokeArn(integration.inputs.uri) },
        userPoolIds,
        authorizerTtlSeconds,
      };
    }
    if (type === "MOCK") {
      const responses = ofType("apigateway/integrationResponse:IntegrationResponse")
        .filter((r) => sameMethod(r, m))
        .map((r) => ({
          statusCode: str(r.inputs.statusCode),
          selectionPattern: r.inputs.selectionPattern as string | undefined,
          responseParameters: record(r.inputs.responseParameters),
          responseTemplates: record(r.inputs.responseTemplates),
        }));
      return {
        httpMethod,
        path,
        integration: { type, responses },
        userPoolIds,
        authorizerTtlSeconds,
      };
    }
    throw new Error(`${httpMethod} ${path}: ${type} integrations are not run locally`);
  });
  const api: LocalApi = {
    id: str(restApi.id),
    name: str(restApi.inputs.name),
    stageName: str(stage.inputs.stageName),
    paths: ["/", ...resources.map((r) => pathOf(r.id))],
    methods,
    gatewayResponses: ofType("apigateway/response:Response").map((r) => ({
      responseType: str(r.inputs.responseType),
      statusCode: r.inputs.statusCode as string | undefined,
      responseParameters: record(r.inputs.responseParameters),
      responseTemplates: record(r.inputs.responseTemplates),
    })),
    throttle: stageThrottle(ofType("apigateway/methodSettings:MethodSettings")),
  };

  const site = ofType("cloudfront/distribution:Distribution").length
    ? cloudFrontSite(all)
    : websiteSite(all);
  /** The objects the program uploads into a bucket (by its id, as the objects name it). */
  const objectsIn = (bucketId: unknown): LocalObject[] => objectsOf(all, bucketId);

  const buckets: LocalBucket[] = ofType("s3/bucket:Bucket").map((b) => ({
    name: str(b.state.bucket ?? b.id),
    arn: str(b.state.arn),
    eventBridge: ofType("s3/bucketNotification:BucketNotification").some(
      (n) => n.inputs.bucket === b.id && n.inputs.eventbridge === true,
    ),
    versioning: ofType("s3/bucketVersioning:BucketVersioning").some(
      (v) =>
        v.inputs.bucket === b.id &&
        (v.inputs.versioningConfiguration as { status?: string })?.status === "Enabled",
    ),
    objects: objectsIn(b.id),
  }));

  const targets = ofType("cloudwatch/eventTarget:EventTarget");
  const rules: LocalRule[] = ofType("cloudwatch/eventRule:EventRule")
    .filter((r) => (r.inputs.eventBusName ?? "default") === "default")
    .map((r) => ({
      name: str(r.state.name),
      arn: str(r.state.arn),
      description: r.inputs.description as string | undefined,
      eventPattern: r.inputs.eventPattern
        ? (JSON.parse(str(r.inputs.eventPattern)) as Record<string, unknown>)
        : undefined,
      scheduleExpression: r.inputs.scheduleExpression as string | undefined,
      enabled: (r.inputs.state ?? "ENABLED") === "ENABLED" && r.inputs.isEnabled !== false,
      targets: targets
        .filter((t) => t.inputs.rule === r.state.name)
        .map((t) => ({
          id: str(t.inputs.targetId ?? t.name),
          arn: str(t.inputs.arn),
          role: t.inputs.roleArn === undefined ? undefined : roleWithArn(t.inputs.roleArn),
          input: t.inputs.input as string | undefined,
          inputPath: t.inputs.inputPath as string | undefined,
          unsupported: ["inputTransformer", "runCommandTargets", "sqsTarget", "httpTarget"].filter(
            (k) => t.inputs[k] !== undefined,
          ),
        })),
    }));

  const stateMachines: LocalStateMachine[] = ofType("sfn/stateMachine:StateMachine").map((m) => {
    const role = roleWithArn(m.inputs.roleArn);
    if (!role) throw new Error(`state machine ${str(m.state.name)} has no declared role`);
    return {
      name: str(m.state.name),
      arn: str(m.state.arn),
      type: str(m.inputs.type ?? "STANDARD"),
      definition: JSON.parse(str(m.inputs.definition)) as Record<string, unknown>,
      role,
    };
  });

  const permissions: LocalPermission[] = ofType("lambda/permission:Permission").map((p) => ({
    functionName: str(p.inputs.function),
    action: str(p.inputs.action),
    principal: str(p.inputs.principal),
    sourceArn: p.inputs.sourceArn as string | undefined,
  }));

  return {
    stack: recorded.stack,
    region: recorded.config["aws:region"] ?? "us-east-1",
    tables,
    functions,
    api,
    site,
    buckets,
    rules,
    stateMachines,
    permissions,
    userPools: pools.map((pool) => ({
      id: str(pool.id),
      name: str(pool.inputs.name),
      usernameAttributes: (pool.inputs.usernameAttributes as string[]) ?? [],
      autoVerifiedAttributes: (pool.inputs.autoVerifiedAttributes as string[]) ?? [],
      passwordPolicy: record(pool.inputs.passwordPolicy),
      clients: ofType("cognito/userPoolClient:UserPoolClient")
        .filter((c) => c.inputs.userPoolId === pool.id)
        .map((c) => ({
          id: str(c.id),
          name: str(c.inputs.name),
          explicitAuthFlows: (c.inputs.explicitAuthFlows as string[]) ?? [],
          idTokenValidity: Number(c.inputs.idTokenValidity ?? 60),
          accessTokenValidity: Number(c.inputs.accessTokenValidity ?? 60),
          refreshTokenValidity: Number(c.inputs.refreshTokenValidity ?? 30),
          tokenValidityUnits: {
            idToken: "minutes",
            accessToken: "minutes",
            refreshToken: "days",
            ...(c.inputs.tokenValidityUnits as object),
          },
        })),
    })),
    outputs: recorded.outputs,
  };
}
