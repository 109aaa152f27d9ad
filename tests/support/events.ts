// Builds API Gateway REST (v1) proxy events and Lambda contexts, as API Gateway and the Lambda
// runtime hand them to a handler.
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEvent, Context } from "aws-lambda";

export interface EventSpec {
  method: string;
  /** The declared resource path, e.g. `/users/{userId}/notes`. */
  resource: string;
  pathParameters?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else is JSON-encoded with a JSON content type. */
  body?: unknown;
  stage?: string;
  /**
   * The signed-in caller's `sub`, as API Gateway's Cognito authorizer passes it in
   * `requestContext.authorizer.claims`. Default: the path's `{userId}` (its owner) when there is
   * one, else nobody; null: no authorizer claims at all.
   */
  caller?: string | null;
}

/** The claims a Cognito user pools authorizer passes on for an ID token of `sub`. */
export function cognitoClaims(sub: string): Record<string, string> {
  return {
    sub,
    email: `${sub}@example.com`,
    email_verified: "true",
    token_use: "id",
    "cognito:username": sub,
  };
}

export function proxyEvent(spec: EventSpec): APIGatewayProxyEvent {
  const params = spec.pathParameters ?? {};
  const path = spec.resource.replace(/\{(\w+)\+?\}/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? ""),
  );
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  let body: string | null = null;
  if (typeof spec.body === "string") body = spec.body;
  else if (spec.body !== undefined) {
    body = JSON.stringify(spec.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
      headers["Content-Type"] = "application/json";
    }
  }
  const caller = spec.caller === undefined ? params.userId : spec.caller;
  const requestId = randomUUID();
  return {
    resource: spec.resource,
    path,
    httpMethod: spec.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: spec.query && Object.keys(spec.query).length ? spec.query : null,
    multiValueQueryStringParameters:
      spec.query && Object.keys(spec.query).length
        ? Object.fromEntries(Object.entries(spec.query).map(([k, v]) => [k, [v]]))
        : null,
    pathParameters: Object.keys(params).length ? params : null,
    stageVariables: null,
    requestContext: {
      accountId: "123456789012",
      apiId: "testapi",
      authorizer: caller ? { claims: cognitoClaims(caller) } : undefined,
      protocol: "HTTP/1.1",
      httpMethod: spec.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: "127.0.0.1",
        user: null,
        userAgent: "tests",
        userArn: null,
      },
      path: `/${spec.stage ?? "test"}${path}`,
      stage: spec.stage ?? "test",
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: "res123",
      resourcePath: spec.resource,
    },
    body,
    isBase64Encoded: false,
  };
}

export function lambdaContext(functionName = "test-function", timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:ap-northeast-2:123456789012:function:${functionName}`,
    memoryLimitInMB: "128",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "2026/11/21/[$LATEST]test",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
