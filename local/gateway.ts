// API Gateway (REST API, Lambda proxy v1) on loopback, from the API the program declared: the
// same resource matching, proxy events, response checks and gateway errors a deployed stage has.
import { createHash, randomUUID } from "node:crypto";
import * as http from "node:http";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { RequestTooLarge } from "./lambdaRuntime";
import type { InvokeOutcome } from "./lambdaRuntime";
import type { LocalApi, LocalIntegration, LocalMethod } from "./model";
import { listen } from "./listen";

export interface RequestEntry {
  method: string;
  /** The requested path, stage included, query excluded. */
  path: string;
  status: number;
  /** The function behind an `AWS_PROXY` method. */
  functionName?: string;
  durationMs: number;
  /** The gateway's request id, also sent as `x-amzn-RequestId`. */
  requestId: string;
}

export interface GatewayOptions {
  api: LocalApi;
  invoke: (functionName: string, event: APIGatewayProxyEvent) => Promise<InvokeOutcome>;
  host?: string;
  port?: number;
  /** The stage's region, as method ARNs name it; default us-east-1. */
  region?: string;
  onRequest?: (entry: RequestEntry) => void;
  /**
   * Checks the `Authorization` header of a method behind a Cognito authorizer: the token's
   * claims, or why it is refused (401). Without it, such a method always answers 401.
   */
  authorize?: (
    userPoolIds: string[],
    token: string | undefined,
  ) => Promise<{ claims: Record<string, string> } | { refused: string }>;
}

export interface Gateway {
  /** `http://host:port`; the API itself is under `/<stageName>`. */
  url: string;
  port: number;
  /** Serves this API from the next request on (`npm start`'s reload); requests under way finish. */
  setApi(api: LocalApi): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

/**
 * API Gateway's REST quotas (developer guide, "Quotas for configuring and running a REST API"
 * and "Amazon API Gateway quotas"): a regional API's URL is at most 10,240 characters, and with
 * an authorizer the method ARN `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>
 * /<path>` at most 1,600 bytes; beyond either the client gets 414 "Request URI too long".
 */
const MAX_URL_CHARACTERS = 10_240;
const MAX_AUTHORIZED_METHOD_ARN_BYTES = 1_600;

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const ACCOUNT_ID = "123456789012";
/** Bodies of these types reach the function as text; any other type arrives base64-encoded. */
const TEXT_TYPES =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)\b|application\/[\w.-]+\+(json|xml)\b)/i;
/** Response headers API Gateway does not pass through as named (it owns framing and dates). */
const REMAPPED = new Set(["connection", "content-length", "date", "server", "transfer-encoding"]);

const GATEWAY_ERRORS = {
  missingToken: { status: 403, type: "4XX", body: '{"message":"Missing Authentication Token"}' },
  throttled: { status: 429, type: "4XX", body: '{"message":"Too Many Requests"}' },
  tooLarge: { status: 413, type: "4XX", body: '{"message":"Request Too Long"}' },
  // An event over Lambda's payload limit: API Gateway's answer as observed (with its space).
  eventTooLarge: { status: 413, type: "4XX", body: '{"message": "Request Too Long"}' },
  uriTooLong: { status: 414, type: "4XX", body: '{"message":"Request URI too long"}' },
  serverError: { status: 500, type: "5XX", body: '{"message": "Internal server error"}' },
  badResult: { status: 502, type: "5XX", body: '{"message": "Internal server error"}' },
  timedOut: { status: 504, type: "5XX", body: '{"message": "Endpoint request timed out"}' },
} as const;

const shortHash = (text: string, length: number) =>
  BigInt(`0x${createHash("sha1").update(text).digest("hex")}`)
    .toString(36)
    .slice(0, length);

/** `'value'` parameters with `prefix` as headers; mappings from request values are skipped. */
function literalHeaders(parameters: Record<string, string>, prefix: string) {
  const headers: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parameters)) {
    const literal = /^'(.*)'$/s.exec(value);
    if (key.startsWith(prefix) && literal) headers[key.slice(prefix.length)] = [literal[1]];
  }
  return headers;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

interface Match {
  resource: string;
  params: Record<string, string>;
  /** Per segment: 0 literal, 1 `{param}`, 2 `{proxy+}`; the smallest rank wins. */
  rank: number[];
}

function matchResource(resource: string, segments: string[]): Match | undefined {
  const parts = resource.split("/").filter(Boolean);
  const match: Match = { resource, params: {}, rank: [] };
  for (const [i, part] of parts.entries()) {
    const param = /^\{(\w+)(\+?)\}$/.exec(part);
    if (param?.[2] && i === parts.length - 1 && segments.length > i) {
      match.params[param[1]] = segments.slice(i).join("/");
      match.rank.push(2);
      return match;
    }
    if (i >= segments.length || (!param && part !== segments[i])) return undefined;
    if (param) match.params[param[1]] = segments[i];
    match.rank.push(param ? 1 : 0);
  }
  return parts.length === segments.length ? match : undefined;
}

function bestMatch(paths: string[], segments: string[]): Match | undefined {
  const better = (a: Match, b: Match) => {
    const i = a.rank.findIndex((r, j) => r !== b.rank[j]);
    return i >= 0 && a.rank[i] < (b.rank[i] ?? 3);
  };
  let best: Match | undefined;
  for (const path of paths) {
    const match = matchResource(path, segments);
    if (match && (!best || better(match, best))) best = match;
  }
  return best;
}

/**
 * A request's path below the stage as API Gateway splits it: a trailing slash is dropped, an
 * empty segment in between matches no resource (`/users/u//notes` is not `/users/u/notes`).
 */
function segmentsOf(path: string): string[] | undefined {
  const segments = path.split("/").slice(1);
  if (segments[segments.length - 1] === "") segments.pop();
  return segments.includes("") ? undefined : segments.map(decode);
}

/**
 * The stage's token bucket: `burstLimit` requests at once, refilled at `rateLimit` a second;
 * an empty bucket answers 429 as API Gateway's throttle does.
 */
function tokenBucket(throttle: LocalApi["throttle"]): () => boolean {
  if (!throttle) return () => true;
  let tokens = throttle.burstLimit;
  let last = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(throttle.burstLimit, tokens + ((now - last) / 1000) * throttle.rateLimit);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

function valuesOf(pairs: [string, string][]) {
  if (!pairs.length) return { single: null, multi: null };
  // Names are the client's: `__proto__` or `toString` must be ordinary keys, not Object's.
  const single: Record<string, string> = Object.create(null);
  const multi: Record<string, string[]> = Object.create(null);
  for (const [name, value] of pairs) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  // Plain objects again, each name an own property (fromEntries defines, it does not assign).
  return {
    single: Object.fromEntries(Object.entries(single)),
    multi: Object.fromEntries(Object.entries(multi)),
  };
}

function requestTime(date: Date): string {
  const [, day, month, year, time] = date.toUTCString().split(" ");
  return `${day}/${month}/${year}:${time} +0000`;
}

const isScalar = (v: unknown) => ["string", "number", "boolean"].includes(typeof v);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The response a Lambda proxy result asks for, or undefined when API Gateway would reject it. */
function proxyReply(result: unknown): Reply | undefined {
  if (!isRecord(result)) return undefined;
  const { statusCode, headers, multiValueHeaders, body, isBase64Encoded } = result;
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode)) return undefined;
  if (statusCode < 100 || statusCode > 599) return undefined;
  if (body != null && typeof body !== "string") return undefined;
  if (isBase64Encoded !== undefined && typeof isBase64Encoded !== "boolean") return undefined;
  if (headers != null && !isRecord(headers)) return undefined;
  if (multiValueHeaders != null && !isRecord(multiValueHeaders)) return undefined;
  // Both kinds merge; a name in multiValueHeaders keeps only those values.
  const merged = Object.entries(multiValueHeaders ?? {}).map(([n, v]) => [n, v] as const);
  const multiNames = new Set(merged.map(([name]) => name.toLowerCase()));
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!multiNames.has(name.toLowerCase())) merged.push([name, [value]]);
  }
  const out: Record<string, string[]> = {};
  for (const [name, values] of merged) {
    if (!Array.isArray(values) || !values.every(isScalar)) return undefined;
    try {
      http.validateHeaderName(name);
      for (const value of values) http.validateHeaderValue(name, String(value));
    } catch {
      return undefined;
    }
    const key = REMAPPED.has(name.toLowerCase()) ? `x-amzn-Remapped-${name}` : name;
    out[key] = [...(out[key] ?? []), ...values.map(String)];
  }
  if (!Object.keys(out).some((name) => name.toLowerCase() === "content-type")) {
    out["Content-Type"] = ["application/json"];
  }
  const text = typeof body === "string" ? body : "";
  return {
    status: statusCode,
    headers: out,
    body: Buffer.from(text, isBase64Encoded ? "base64" : "utf8"),
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // The whole upload is read even when too large, so the client sees the 413, not a reset.
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on("error", reject);
  });
}

/** Tokens whose answers are kept at once; past it, the cache starts over. */
const AUTHORIZER_CACHE_ENTRIES = 10_000;

/**
 * The Cognito authorizer with API Gateway's result cache: a token's claims are kept for the
 * authorizer's TTL (`authorizerResultTtlInSeconds`, 300 s unless set; 0 turns it off), keyed on
 * the token as the identity source. Locally an answer is also never kept past the token's `exp`,
 * so an expired token is refused here even where API Gateway might still serve it from cache.
 * Refusals are not kept: a corrected token works at once.
 */
function cachedAuthorizer(authorize: GatewayOptions["authorize"]) {
  const kept = new Map<string, { claims: Record<string, string>; until: number }>();
  return async (
    {
      userPoolIds,
      authorizerTtlSeconds,
    }: Pick<LocalMethod, "authorizerTtlSeconds"> & {
      userPoolIds: string[];
    },
    header: string | undefined,
  ): Promise<{ claims: Record<string, string> } | { refused: string }> => {
    if (!authorize) return { refused: "no user pool emulator" };
    const ttlMs = (authorizerTtlSeconds ?? 0) * 1000;
    const key = `${userPoolIds.join(" ")}\n${header ?? ""}`;
    const hit = ttlMs > 0 ? kept.get(key) : undefined;
    if (hit && hit.until > Date.now()) return { claims: hit.claims };
    const checked = await authorize(userPoolIds, header);
    if ("claims" in checked && ttlMs > 0) {
      if (kept.size >= AUTHORIZER_CACHE_ENTRIES) kept.clear();
      const expiresMs = Number(checked.claims.exp) * 1000;
      const until = Math.min(Date.now() + ttlMs, Number.isFinite(expiresMs) ? expiresMs : 0);
      kept.set(key, { claims: checked.claims, until });
    }
    return checked;
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  let api = options.api;
  let stagePrefix = `/${api.stageName}`;
  let apiId = shortHash(api.name, 10);
  const region = options.region ?? "us-east-1";
  let admit = tokenBucket(api.throttle);
  const authorizeCached = cachedAuthorizer(options.authorize);
  const setApi = (next: LocalApi) => {
    // The stage's bucket starts full again only when its limits changed, as a redeploy would.
    if (JSON.stringify(next.throttle) !== JSON.stringify(api.throttle)) {
      admit = tokenBucket(next.throttle);
    }
    api = next;
    stagePrefix = `/${api.stageName}`;
    apiId = shortHash(api.name, 10);
  };

  function gatewayError(kind: keyof typeof GATEWAY_ERRORS): Reply {
    const { status, type, body } = GATEWAY_ERRORS[kind];
    const declared = api.gatewayResponses.find((r) => r.responseType === `DEFAULT_${type}`);
    const headers = literalHeaders(declared?.responseParameters ?? {}, "gatewayresponse.header.");
    headers["Content-Type"] = ["application/json"];
    return { status, headers, body: Buffer.from(body) };
  }

  /** The declared UNAUTHORIZED answer (or API Gateway's own), with its headers and body. */
  function unauthorized(): Reply {
    const declared =
      api.gatewayResponses.find((r) => r.responseType === "UNAUTHORIZED") ??
      api.gatewayResponses.find((r) => r.responseType === "DEFAULT_4XX");
    const headers = literalHeaders(declared?.responseParameters ?? {}, "gatewayresponse.header.");
    headers["Content-Type"] = ["application/json"];
    const template = declared?.responseTemplates?.["application/json"];
    const body = template
      ? template.replace("$context.error.messageString", JSON.stringify("Unauthorized"))
      : '{"message":"Unauthorized"}';
    return { status: Number(declared?.statusCode ?? 401), headers, body: Buffer.from(body) };
  }

  function mockReply(
    integration: Extract<LocalIntegration, { type: "MOCK" }>,
    context: Record<string, string>,
  ): Reply {
    const response =
      integration.responses.find((r) => !r.selectionPattern) ?? integration.responses[0];
    if (!response) return gatewayError("serverError");
    const headers = literalHeaders(response.responseParameters, "method.response.header.");
    const template = response.responseTemplates["application/json"];
    if (template !== undefined) headers["Content-Type"] = ["application/json"];
    const body = (template ?? "").replace(/\$context\.(\w+)/g, (ref, name: string) =>
      Object.hasOwn(context, name) ? context[name] : ref,
    );
    return { status: Number(response.statusCode), headers, body: Buffer.from(body) };
  }

  async function proxy(event: APIGatewayProxyEvent, functionName: string): Promise<Reply> {
    let outcome: InvokeOutcome;
    try {
      outcome = await options.invoke(functionName, event);
    } catch (err) {
      return gatewayError(err instanceof RequestTooLarge ? "eventTooLarge" : "serverError");
    }
    if ("timedOut" in outcome) return gatewayError("timedOut");
    if ("error" in outcome) return gatewayError("badResult");
    return proxyReply(outcome.result) ?? gatewayError("badResult");
  }

  async function handle(req: http.IncomingMessage, requestId: string, started: number) {
    const [rawPath, rawQuery = ""] = (req.url ?? "/").split(/\?(.*)/s);
    const httpMethod = req.method ?? "GET";
    const body = await readBody(req);
    if (!body) return { reply: gatewayError("tooLarge") };
    if ((req.url ?? "").length > MAX_URL_CHARACTERS) return { reply: gatewayError("uriTooLong") };
    const path =
      rawPath === stagePrefix
        ? "/"
        : rawPath.startsWith(`${stagePrefix}/`)
          ? rawPath.slice(stagePrefix.length)
          : undefined;
    const segments = path === undefined ? undefined : segmentsOf(path);
    const match = segments && bestMatch(api.paths, segments);
    const declared = (m: string) =>
      api.methods.find((x) => x.path === match?.resource && x.httpMethod === m);
    const method = declared(httpMethod) ?? declared("ANY");
    if (!match || !method || path === undefined) return { reply: gatewayError("missingToken") };
    if (!admit()) return { reply: gatewayError("throttled") };

    const context = {
      httpMethod,
      resourcePath: match.resource,
      path: `${stagePrefix}${path}`,
      stage: api.stageName,
      requestId,
    };
    // The authorizer runs before the integration, mocks included: a stranger learns nothing.
    let claims: Record<string, string> | undefined;
    if (method.userPoolIds) {
      const methodArn = `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${apiId}/${api.stageName}/${httpMethod}${path}`;
      if (Buffer.byteLength(methodArn) > MAX_AUTHORIZED_METHOD_ARN_BYTES) {
        return { reply: gatewayError("uriTooLong") };
      }
      const { userPoolIds, authorizerTtlSeconds } = method;
      const checked = await authorizeCached(
        { userPoolIds, authorizerTtlSeconds },
        req.headers.authorization,
      );
      if ("refused" in checked) return { reply: unauthorized() };
      claims = checked.claims;
    }
    if (method.integration.type === "MOCK")
      return { reply: mockReply(method.integration, context) };

    const rawPairs: [string, string][] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      rawPairs.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
    const headers = valuesOf(rawPairs);
    const query = valuesOf([...new URLSearchParams(rawQuery)]);
    const binary = !TEXT_TYPES.test(req.headers["content-type"] ?? "text/plain");
    const host = req.headers.host ?? "";
    const event: APIGatewayProxyEvent = {
      resource: match.resource,
      path,
      httpMethod,
      // API Gateway sends null when there are none; the `aws-lambda` types do not admit it.
      headers: headers.single as APIGatewayProxyEvent["headers"],
      multiValueHeaders: headers.multi as APIGatewayProxyEvent["multiValueHeaders"],
      queryStringParameters: query.single,
      multiValueQueryStringParameters: query.multi,
      pathParameters: Object.keys(match.params).length ? match.params : null,
      stageVariables: null,
      requestContext: {
        ...context,
        accountId: ACCOUNT_ID,
        apiId,
        authorizer: claims ? { claims } : undefined,
        domainName: host,
        domainPrefix: host.split(".")[0],
        extendedRequestId: shortHash(requestId, 16),
        protocol: `HTTP/${req.httpVersion}`,
        requestTime: requestTime(new Date(started)),
        requestTimeEpoch: started,
        resourceId: shortHash(match.resource, 6),
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
          sourceIp: (req.socket.remoteAddress ?? "").replace(/^::ffff:/, ""),
          user: null,
          userAgent: req.headers["user-agent"] ?? null,
          userArn: null,
        },
      },
      body: body.length ? body.toString(binary ? "base64" : "utf8") : null,
      isBase64Encoded: binary && body.length > 0,
    };
    const functionName = method.integration.functionName;
    return { reply: await proxy(event, functionName), functionName };
  }

  // Node's own header limit (16 KiB) would answer a long URL with an empty 431 before the
  // gateway's limits could; API Gateway's apply instead.
  const server = http.createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => {
    const requestId = randomUUID();
    const started = Date.now();
    const finish = ({ reply, functionName }: { reply: Reply; functionName?: string }) => {
      res.writeHead(reply.status, {
        ...reply.headers,
        "Content-Length": reply.body.length,
        "x-amzn-RequestId": requestId,
      });
      res.end(reply.body);
      options.onRequest?.({
        method: req.method ?? "GET",
        path: (req.url ?? "/").split("?")[0],
        status: reply.status,
        functionName,
        durationMs: Date.now() - started,
        requestId,
      });
    };
    // A fault of the gateway itself is a 500; one while writing (a bad declared header) a reset.
    handle(req, requestId, started)
      .catch(() => ({ reply: gatewayError("serverError") }))
      .then(finish)
      .catch(() => res.destroy());
  });
  return { ...(await listen(server, options.host, options.port)), setApi };
}
