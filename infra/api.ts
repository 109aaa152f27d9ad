import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { occurrenceAlarm } from "./alarms";
import { assumableBy } from "./iamDocuments";

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export interface ApiRoute {
  method: HttpMethod;
  /** A resource path with `{param}` segments, e.g. `/users/{userId}/notes`. */
  path: string;
  /** The function behind the route. */
  function: { name: pulumi.Input<string>; invokeArn: pulumi.Input<string> };
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
  /** Default false: a CloudWatch alarm on any 5XX in a five-minute period. */
  serverErrorAlarm?: boolean;
}

/** Request content types the 405 mock accepts a body of. */
const MOCK_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"];

const CORS_HEADERS = "Content-Type,Authorization,X-Amz-Date,X-Api-Key,X-Amz-Security-Token";

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

/** An API Gateway REST API whose routes invoke Lambda functions through `AWS_PROXY`. */
export class Api extends pulumi.ComponentResource {
  readonly restApiId: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly stageName: pulumi.Output<string>;

  constructor(name: string, args: ApiArgs, opts?: pulumi.ComponentResourceOptions) {
    super("serverless-notes:api:Api", name, {}, opts);
    const child = { parent: this };

    const api = new aws.apigateway.RestApi(
      name,
      { name: args.apiName, endpointConfiguration: { types: "REGIONAL" } },
      child,
    );

    // One resource per path segment, parented on the one above it.
    const resources = new Map<string, aws.apigateway.Resource>();
    const resourceId = (path: string): pulumi.Input<string> =>
      path === "/" ? api.rootResourceId : resources.get(path)!.id;
    for (const path of resourcePaths(args.routes.map((r) => r.path))) {
      const parentPath = path.slice(0, path.lastIndexOf("/")) || "/";
      resources.set(
        path,
        new aws.apigateway.Resource(
          `${name}${path}`,
          { restApi: api.id, parentId: resourceId(parentPath), pathPart: path.split("/").pop()! },
          child,
        ),
      );
    }

    const deploymentInputs: pulumi.Resource[] = [];
    for (const route of args.routes) {
      const id = `${name}-${route.method}${route.path}`;
      // The route itself; authorisation is left to the application (the course app has none).
      const method = new aws.apigateway.Method(
        id,
        {
          restApi: api.id,
          resourceId: resourceId(route.path),
          httpMethod: route.method,
          authorization: "NONE",
        },
        child,
      );
      // Lambda proxy integration: the function sees the whole request and shapes the response.
      const integration = new aws.apigateway.Integration(
        id,
        {
          restApi: api.id,
          resourceId: resourceId(route.path),
          httpMethod: method.httpMethod,
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: route.function.invokeArn,
        },
        child,
      );
      // API Gateway may invoke the function for this method and path only, on any stage.
      new aws.lambda.Permission(
        id,
        {
          action: "lambda:InvokeFunction",
          function: route.function.name,
          principal: "apigateway.amazonaws.com",
          sourceArn: pulumi.interpolate`${api.executionArn}/*/${permissionPath(route.method, route.path)}`,
        },
        child,
      );
      deploymentInputs.push(method, integration);
    }

    // Browsers ask OPTIONS before a cross-origin write: answer it at the gateway, no Lambda needed.
    const routePaths = [...new Set(args.routes.map((r) => r.path))];
    for (const path of routePaths) {
      const methods = args.routes.filter((r) => r.path === path).map((r) => r.method);
      const id = `${name}-OPTIONS${path}`;
      const common = { restApi: api.id, resourceId: resourceId(path), httpMethod: "OPTIONS" };
      const options = new aws.apigateway.Method(id, { ...common, authorization: "NONE" }, child);
      const mock = new aws.apigateway.Integration(
        id,
        {
          ...common,
          httpMethod: options.httpMethod,
          type: "MOCK",
          requestTemplates: { "application/json": '{"statusCode": 200}' },
        },
        child,
      );
      const headerNames = ["Origin", "Methods", "Headers", "Max-Age"].map(
        (h) => `method.response.header.Access-Control-Allow-${h}`,
      );
      const optionsResponse = new aws.apigateway.MethodResponse(
        id,
        {
          ...common,
          httpMethod: options.httpMethod,
          statusCode: "200",
          responseParameters: Object.fromEntries(headerNames.map((h) => [h, true])),
        },
        child,
      );
      const optionsIntegrationResponse = new aws.apigateway.IntegrationResponse(
        id,
        {
          ...common,
          httpMethod: options.httpMethod,
          statusCode: optionsResponse.statusCode,
          responseParameters: {
            "method.response.header.Access-Control-Allow-Origin": pulumi.interpolate`'${args.corsOrigin}'`,
            "method.response.header.Access-Control-Allow-Methods": `'${[...methods, "OPTIONS"].join(",")}'`,
            "method.response.header.Access-Control-Allow-Headers": `'${CORS_HEADERS}'`,
            "method.response.header.Access-Control-Allow-Max-Age": "'600'",
          },
        },
        { parent: this, dependsOn: [mock] },
      );
      deploymentInputs.push(options, mock, optionsResponse, optionsIntegrationResponse);
      deploymentInputs.push(
        ...this.methodNotAllowed(name, api, resourceId(path), path, methods, args),
      );
    }

    // Errors raised by the gateway itself (throttling, unknown paths) carry CORS headers too,
    // so the browser shows the real status instead of a CORS failure.
    for (const responseType of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      deploymentInputs.push(
        new aws.apigateway.Response(
          `${name}-${responseType}`,
          {
            restApiId: api.id,
            responseType,
            responseParameters: {
              "gatewayresponse.header.Access-Control-Allow-Origin": pulumi.interpolate`'${args.corsOrigin}'`,
              "gatewayresponse.header.Access-Control-Allow-Headers": `'${CORS_HEADERS}'`,
            },
          },
          child,
        ),
      );
    }

    // A new deployment whenever the route table or the CORS answers change.
    const deployment = new aws.apigateway.Deployment(
      name,
      {
        restApi: api.id,
        triggers: {
          redeployment: pulumi.output(args.corsOrigin).apply((origin) =>
            createHash("sha256")
              .update(
                JSON.stringify({
                  routes: args.routes.map((r) => [r.method, r.path]),
                  origin,
                  headers: CORS_HEADERS,
                }),
              )
              .digest("hex"),
          ),
        },
      },
      { parent: this, dependsOn: deploymentInputs },
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
      // The access log itself, kept as long as the function logs.
      const accessLog = new aws.cloudwatch.LogGroup(
        `${name}-access`,
        {
          name: `/aws/apigateway/${args.apiName}/${args.stageName}/access`,
          retentionInDays: args.accessLogRetentionDays,
        },
        child,
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
        },
        child,
      );
    }

    this.restApiId = api.id;
    this.url = stage.invokeUrl;
    this.stageName = stage.stageName;
    this.registerOutputs({ restApiId: this.restApiId, url: this.url });
  }

  /**
   * Any other method on a route's path gets the SPEC's 405 from the gateway itself: explicit
   * methods win over `ANY`, so only methods the route table lacks reach this mock.
   */
  private methodNotAllowed(
    name: string,
    api: aws.apigateway.RestApi,
    resourceId: pulumi.Input<string>,
    path: string,
    methods: HttpMethod[],
    args: ApiArgs,
  ): pulumi.Resource[] {
    const id = `${name}-ANY${path}`;
    const common = { restApi: api.id, resourceId, httpMethod: "ANY" };
    const child = { parent: this };
    const any = new aws.apigateway.Method(id, { ...common, authorization: "NONE" }, child);
    const statusOnly = '{"statusCode": 405}';
    const mock = new aws.apigateway.Integration(
      id,
      {
        ...common,
        httpMethod: any.httpMethod,
        type: "MOCK",
        // Whatever the body's type, the mock answers; the response below is always the 405.
        passthroughBehavior: "WHEN_NO_MATCH",
        requestTemplates: Object.fromEntries(MOCK_CONTENT_TYPES.map((t) => [t, statusOnly])),
      },
      child,
    );
    const headers = ["Access-Control-Allow-Origin", "Allow"];
    const response = new aws.apigateway.MethodResponse(
      id,
      {
        ...common,
        httpMethod: any.httpMethod,
        statusCode: "405",
        responseParameters: Object.fromEntries(
          headers.map((h) => [`method.response.header.${h}`, true]),
        ),
      },
      child,
    );
    const integrationResponse = new aws.apigateway.IntegrationResponse(
      id,
      {
        ...common,
        httpMethod: any.httpMethod,
        statusCode: response.statusCode,
        responseParameters: {
          "method.response.header.Access-Control-Allow-Origin": pulumi.interpolate`'${args.corsOrigin}'`,
          "method.response.header.Allow": `'${[...methods, "OPTIONS"].join(",")}'`,
        },
        responseTemplates: {
          "application/json": JSON.stringify({
            error: {
              code: "MethodNotAllowed",
              message: "Method $context.httpMethod is not allowed on $context.resourcePath",
            },
          }),
        },
      },
      { parent: this, dependsOn: [mock] },
    );
    return [any, mock, response, integrationResponse];
  }
}
