// The CORS preflight of one API path, answered by the gateway itself: browsers ask OPTIONS before
// a cross-origin write, and no Lambda function needs to run for it.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiPath, CORS_ALLOW_HEADERS, allowedMethods } from "./apiPath";

/** Seconds a browser may reuse a preflight answer. */
const PREFLIGHT_MAX_AGE = 600;

export function corsPreflight(at: ApiPath): void {
  const id = `${at.name}-OPTIONS${at.path}`;
  const { served } = at;
  const child = { parent: at.parent };
  const common = { restApi: at.restApi, resourceId: at.resourceId, httpMethod: "OPTIONS" };

  const methodArgs = { ...common, authorization: "NONE" };
  const options = served.add(new aws.apigateway.Method(id, methodArgs, child), methodArgs);

  const mockArgs = {
    ...common,
    httpMethod: options.httpMethod,
    type: "MOCK",
    requestTemplates: { "application/json": '{"statusCode": 200}' },
  };
  const mock = served.add(new aws.apigateway.Integration(id, mockArgs, child), mockArgs);

  const headers: Record<string, pulumi.Input<string>> = {
    "Access-Control-Allow-Origin": pulumi.interpolate`'${at.corsOrigin}'`,
    "Access-Control-Allow-Methods": allowedMethods(at.methods),
    "Access-Control-Allow-Headers": `'${CORS_ALLOW_HEADERS}'`,
    "Access-Control-Max-Age": `'${PREFLIGHT_MAX_AGE}'`,
  };
  const parameter = (header: string) => `method.response.header.${header}`;

  const responseArgs = {
    ...common,
    httpMethod: options.httpMethod,
    statusCode: "200",
    responseParameters: Object.fromEntries(Object.keys(headers).map((h) => [parameter(h), true])),
  };
  const response = served.add(
    new aws.apigateway.MethodResponse(id, responseArgs, child),
    responseArgs,
  );

  const answerArgs = {
    ...common,
    httpMethod: options.httpMethod,
    statusCode: response.statusCode,
    responseParameters: Object.fromEntries(
      Object.entries(headers).map(([h, value]) => [parameter(h), value]),
    ),
  };
  served.add(
    new aws.apigateway.IntegrationResponse(id, answerArgs, { ...child, dependsOn: [mock] }),
    answerArgs,
  );
}
