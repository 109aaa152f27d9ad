// Any other method on a route's path gets the SPEC's 405 from the gateway itself: explicit
// methods win over `ANY`, so only methods the route table lacks reach this mock.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ApiPath, allowedMethods } from "./apiPath";

/** Request content types the 405 mock accepts a body of. */
const MOCK_CONTENT_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded"];

const BODY = JSON.stringify({
  error: {
    code: "MethodNotAllowed",
    message: "Method $context.httpMethod is not allowed on $context.resourcePath",
  },
});

export function methodNotAllowed(at: ApiPath): void {
  const id = `${at.name}-ANY${at.path}`;
  const { served } = at;
  const child = { parent: at.parent };
  const common = { restApi: at.restApi, resourceId: at.resourceId, httpMethod: "ANY" };

  // A path behind sign-in tells a stranger nothing, not even which methods it has.
  const methodArgs = at.authorizerId
    ? { ...common, authorization: "COGNITO_USER_POOLS", authorizerId: at.authorizerId }
    : { ...common, authorization: "NONE" };
  const any = served.add(new aws.apigateway.Method(id, methodArgs, child), methodArgs);

  const statusOnly = '{"statusCode": 405}';
  const mockArgs = {
    ...common,
    httpMethod: any.httpMethod,
    type: "MOCK",
    // Whatever the body's type, the mock answers; the response below is always the 405.
    passthroughBehavior: "WHEN_NO_MATCH",
    requestTemplates: Object.fromEntries(MOCK_CONTENT_TYPES.map((t) => [t, statusOnly])),
  };
  const mock = served.add(new aws.apigateway.Integration(id, mockArgs, child), mockArgs);

  const responseArgs = {
    ...common,
    httpMethod: any.httpMethod,
    statusCode: "405",
    responseParameters: Object.fromEntries(
      ["Access-Control-Allow-Origin", "Allow"].map((h) => [`method.response.header.${h}`, true]),
    ),
  };
  const response = served.add(
    new aws.apigateway.MethodResponse(id, responseArgs, child),
    responseArgs,
  );

  const answerArgs = {
    ...common,
    httpMethod: any.httpMethod,
    statusCode: response.statusCode,
    responseParameters: {
      "method.response.header.Access-Control-Allow-Origin": pulumi.interpolate`'${at.corsOrigin}'`,
      "method.response.header.Allow": allowedMethods(at.methods),
    },
    responseTemplates: { "application/json": BODY },
  };
  served.add(
    new aws.apigateway.IntegrationResponse(id, answerArgs, { ...child, dependsOn: [mock] }),
    answerArgs,
  );
}
