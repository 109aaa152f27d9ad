import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { occurrenceAlarm } from "./alarms";
import type { AlarmNotifications } from "./alarms";
import { ApiPath, CORS_ALLOW_HEADERS } from "./apiPath";
import { corsPreflight } from "./corsPreflight";
import { DeploymentInputs } from "./deploymentInputs";
import { assumableBy } from "./iamDocuments";
import { methodNotAllowed } from "./methodNotAllowed";
import { statementId } from "./statementId";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export interface ApiRoute {
  method: HttpMethod;
  /** A resource path with `{param}` segments, e.g. `/users/{userId}/notes`. */
  path: string;
  /** The function behind the route. */
  function: { name: pulumi.Input<string>; invokeArn: pulumi.Input<string> };
  /** Who may call it: default anyone; with an authorizer, only a caller it lets through. */
  authorizer?: CognitoAuthorizer;
}

/** An API Gateway authorizer that accepts ID tokens of these Cognito user pools. */
export interface CognitoAuthorizer {
  /** The authorizer's name, unique in the API; routes naming the same one share it. */
  name: string;
  userPoolArns: pulumi.Input<string>[];
}

export interface ApiArgs {
  /** The REST API's name in the console. */
  apiName: string;
  /** The stage, named after the environment. */
  stageName: string;
  routes: ApiRoute[];
  /** Value of `Access-Control-Allow-Origin` on preflight answers and gateway errors. */
  corsOrigin: pulumi.Input<string>;
  /** Stage-wide request throttling. */
  throttle: { rateLimit: number; burstLimit: number };
  /** Where set, JSON access logs kept this many days. */
  accessLogRetentionDays?: number;
  /** Default false: X-Ray tracing on the stage. */
  tracing?: boolean;
  /** Where set, a CloudWatch alarm on any 5XX in a five-minute period, notifying there. */
  serverErrorAlarm?: AlarmNotifications;
}

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  status: "$context.status",
  responseLength: "$context.responseLength",
  integrationLatency: "$context.integrationLatency",
  errorMessage: "$context.error.message",
});

/** Every path that needs a resource: each route's path and all its ancestors, parents first. */
export function resourcePaths(paths: string[]): string[] {
  const all = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/").filter(Boolean);
    for (let i = 1; i <= parts.length; i++) all.add("/" + parts.slice(0, i).join("/"));
  }
  return [...all].sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b));
}

/** The `source-arn` path of a route: path parameters become wildcards. */
export function permissionPath(method: HttpMethod, path: string): string {
  return `${method}${path.replace(/\{[^}]+\}/g, "*")}`;
}

/**
 * The origin of a REST API's default endpoint, as its stages' invoke URLs have it
 * (`https://{restapi_id}.execute-api.{region}.amazonaws.com/{stage}`: API Gateway developer guide,
 * "Invoking a REST API").
 */
export function executeApiOrigin(restApiId: string, region: string, dnsSuffix: string): string {
  return `https://${restApiId}.execute-api.${region}.${dnsSuffix}`;
}

/** An API Gateway REST API whose routes invoke Lambda functions through `AWS_PROXY`. */
export class Api extends pulumi.ComponentResource {
  readonly restApiId: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly stageName: pulumi.Output<string>;
  /**
   * Where the page calls the API from, known as soon as the REST API exists: a value derived
   * from the stage would wait for the functions, and they wait for the site's origin (CORS), so
   * the site's Content-Security-Policy takes this one.
   */
  readonly origin: pulumi.Output<string>;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:api:Api", name, {}, opts);
    const child = { parent: this };
    // Everything the stage serves, recorded as it is created: the deployment hashes it all.
    const served = new DeploymentInputs();

    // REST API names need not be unique, so a replacement can be created before the old one goes.
    const apiArgs = { name: args.apiName, endpointConfiguration: { types: "REGIONAL" } };
    const api = served.add(new aws.apigateway.RestApi(name, apiArgs, child), apiArgs);

    // One resource per path segment, parented on the one above it.
    const resources = new Map<string, aws.apigateway.Resource>();
    const resourceId = (path: string): pulumi.Input<string> =>
      path === "/" ? api.rootResourceId : resources.get(path)!.id;
    for (const path of resourcePaths(args.routes.map((r) => r.path))) {
      const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
      const resourceArgs = {
        restApi: api.id,
        parentId: resourceId(parentPath),
        pathPart: path.split("/").pop()!,
      };
      resources.set(
        path,
        served.add(
          new aws.apigateway.Resource(`${name}${path}`, resourceArgs, child),
          resourceArgs,
        ),
      );
    }

    // One authorizer per name the routes use. A Cognito authorizer checks the `Authorization`
    // header's token (signature, expiry, pool) and hands its claims to the function.
    const authorizers = new Map<string, aws.apigateway.Authorizer>();
    for (const { authorizer } of args.routes) {
      if (!authorizer || authorizers.has(authorizer.name)) continue;
      const authorizerArgs = {
        restApi: api.id,
        name: authorizer.name,
        type: "COGNITO_USER_POOLS",
        providerArns: authorizer.userPoolArns,
        identitySource: "method.request.header.Authorization",
      };
      authorizers.set(
        authorizer.name,
        served.add(
          new aws.apigateway.Authorizer(`${name}-${authorizer.name}`, authorizerArgs, child),
          authorizerArgs,
        ),
      );
    }

    for (const route of args.routes) {
      const id = `${name}-${route.method}${route.path}`;
      // The route itself, open to anyone or behind its authorizer.
      const methodArgs = {
        restApi: api.id,
        resourceId: resourceId(route.path),
        httpMethod: route.method,
        ...(route.authorizer
          ? {
              authorization: "COGNITO_USER_POOLS",
              authorizerId: authorizers.get(route.authorizer.name)!.id,
            }
          : { authorization: "NONE" }),
      };
      const method = served.add(new aws.apigateway.Method(id, methodArgs, child), methodArgs);
      // Lambda proxy integration: the function sees the whole request and shapes the response.
      const integrationArgs = {
        restApi: api.id,
        resourceId: resourceId(route.path),
        httpMethod: method.httpMethod,
        type: "AWS_PROXY",
        integrationHttpMethod: "POST",
        uri: route.function.invokeArn,
      };
      served.add(new aws.apigateway.Integration(id, integrationArgs, child), integrationArgs);
      // API Gateway may invoke the function for this method and path only, on any stage.
      // The statement id is fixed per function, so a replacement must remove the old one first.
      new aws.lambda.Permission(
        id,
        {
          statementId: statementId("ApiGateway", `${route.method} ${route.path}`),
          action: "lambda:InvokeFunction",
          function: route.function.name,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/${permissionPath(route.method, route.path)}`,
        },
        { parent: this, deleteBeforeReplace: true },
      );
    }

    // The gateway answers the CORS preflight and any method the route table lacks on each path.
    for (const path of [...new Set(args.routes.map((r) => r.path))]) {
      const names = new Set(
        args.routes.filter((r) => r.path === path).map((r) => r.authorizer?.name),
      );
      const [only] = names;
      const at: ApiPath = {
        name,
        restApi: api.id,
        resourceId: resourceId(path),
        path,
        methods: args.routes.filter((r) => r.path === path).map((r) => r.method),
        corsOrigin: args.corsOrigin,
        authorizerId: names.size === 1 && only ? authorizers.get(only)!.id : undefined,
        served,
        parent: this,
      };
      corsPreflight(at);
      methodNotAllowed(at);
    }

    // Errors raised by the gateway itself (throttling, unknown paths) carry CORS headers too,
    // so the browser shows the real status instead of a CORS failure.
    for (const responseType of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      const responseArgs = {
        restApiId: api.id,
        responseType,
        responseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": pulumi.interpolate`'${args.corsOrigin}'`,
          "gatewayresponse.header.Access-Control-Allow-Headers": `'${CORS_ALLOW_HEADERS}'`,
        },
      };
      served.add(
        new aws.apigateway.Response(`${name}-${responseType}`, responseArgs, child),
        responseArgs,
      );
    }
    // An authorizer's refusals answer in the API's own JSON error shape, with CORS headers, so
    // the page can tell "sign in again" (401) from "not yours" (403).
    for (const [responseType, statusCode, code] of [
      ["UNAUTHORIZED", "401", "Unauthorized"],
      ["ACCESS_DENIED", "403", "Forbidden"],
    ]) {
      const responseArgs = {
        restApiId: api.id,
        responseType,
        statusCode,
        responseParameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": pulumi.interpolate`'${args.corsOrigin}'`,
          "gatewayresponse.header.Access-Control-Allow-Headers": `'${CORS_ALLOW_HEADERS}'`,
        },
        responseTemplates: {
          "application/json": `{"error":{"code":"${code}","message":$context.error.messageString}}`,
        },
      };
      served.add(
        new aws.apigateway.Response(`${name}-${responseType}`, responseArgs, child),
        responseArgs,
      );
    }

    // A new deployment whenever any input of anything it serves changes: the stage serves a
    // frozen copy of the API, so without one a change would never reach it.
    const deployment = new aws.apigateway.Deployment(
      name,
      { restApi: api.id, triggers: { redeployment: served.hash() } },
      { parent: this, dependsOn: served.resources },
    );

    const stageDependencies: pulumi.Resource[] = [];
    let accessLogSettings: aws.types.input.apigateway.StageAccessLogSettings | undefined;
    if (args.accessLogRetentionDays !== undefined) {
      // API Gateway writes access logs only once the region's account settings name a role.
      const cloudWatchRole = new aws.iam.Role(
        `${name}-cloudwatch`,
        { assumeRolePolicy: assumableBy("apigateway.amazonaws.com") },
        child,
      );
      const cloudWatchPolicy = new aws.iam.RolePolicyAttachment(
        `${name}-cloudwatch`,
        {
          role: cloudWatchRole.name,
          policyArn: aws.iam.ManagedPolicy.AmazonAPIGatewayPushToCloudWatchLogs,
        },
        child,
      );
      stageDependencies.push(
        new aws.apigateway.Account(
          `${name}-account`,
          { cloudwatchRoleArn: cloudWatchRole.arn },
          { parent: this, dependsOn: [cloudWatchPolicy] },
        ),
      );
      // The access log itself, kept as long as the function logs. Its name is fixed, so a
      // replacement must delete the old group first.
      const accessLog = new aws.cloudwatch.LogGroup(
        `${name}-access`,
        {
          name: `/aws/apigateway/${args.apiName}/${args.stageName}/access`,
          retentionInDays: args.accessLogRetentionDays,
        },
        { parent: this, deleteBeforeReplace: true },
      );
      accessLogSettings = { destinationArn: accessLog.arn, format: ACCESS_LOG_FORMAT };
    }

    // The stage the world calls, named after the environment.
    const stage = new aws.apigateway.Stage(
      name,
      {
        restApi: api.id,
        deployment: deployment.id,
        stageName: args.stageName,
        xrayTracingEnabled: args.tracing ?? false,
        accessLogSettings,
      },
      { parent: this, dependsOn: stageDependencies },
    );

    // Throttling for every method of the stage, with CloudWatch metrics.
    new aws.apigateway.MethodSettings(
      name,
      {
        restApi: api.id,
        stageName: stage.stageName,
        methodPath: "*/*",
        settings: {
          throttlingRateLimit: args.throttle.rateLimit,
          throttlingBurstLimit: args.throttle.burstLimit,
          metricsEnabled: true,
        },
      },
      child,
    );

    if (args.serverErrorAlarm) {
      // Any 5XX the stage returns in five minutes is worth a look.
      occurrenceAlarm(
        `${name}-5xx`,
        {
          description: `5XX responses from API ${args.apiName} stage ${args.stageName}`,
          namespace: "AWS/ApiGateway",
          metricName: "5XXError",
          dimensions: { ApiName: api.name, Stage: stage.stageName },
          notify: args.serverErrorAlarm,
        },
        child,
      );
    }

    const region = aws.getRegionOutput({}, child);
    const partition = aws.getPartitionOutput({}, child);
    this.origin = pulumi
      .all([api.id, region.region, partition.dnsSuffix])
      .apply(([id, r, suffix]) => executeApiOrigin(id, r, suffix));
    this.restApiId = api.id;
    this.url = stage.invokeUrl;
    this.stageName = stage.stageName;
    this.registerOutputs({ restApiId: this.restApiId, url: this.url });
  }
}
