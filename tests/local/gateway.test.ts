// The local API Gateway against a hand-built API and a recording `invoke` stub: resource matching,
// the proxy event, response checks, MOCK answers and gateway errors, as a deployed stage has them.
import * as assert from "node:assert/strict";
import * as net from "node:net";
import type { APIGatewayProxyEvent } from "aws-lambda";
import { startGateway, type Gateway, type RequestEntry } from "../../local/gateway";
import { RequestTooLarge } from "../../local/lambdaRuntime";
import type { InvokeOutcome } from "../../local/lambdaRuntime";
import type { LocalApi, LocalMethod } from "../../local/model";

const CORS = "Content-Type,Authorization";
const proxy = (httpMethod: string, path: string, functionName: string): LocalMethod => ({
  httpMethod,
  path,
  integration: { type: "AWS_PROXY", functionName },
});

const api: LocalApi = {
  name: "notes-api",
  stageName: "dev",
  paths: [
    "/",
    "/users",
    "/users/{userId}",
    "/users/{userId}/notes",
    // The parameter comes first, so only the matching rule can pick `export`.
    "/users/{userId}/notes/{noteId}",
    "/users/{userId}/notes/export",
    "/members",
    "/files",
    "/files/{proxy+}",
    "/echo",
  ],
  methods: [
    proxy("GET", "/users/{userId}/notes", "listNotes"),
    proxy("POST", "/users/{userId}/notes", "createNote"),
    proxy("GET", "/users/{userId}/notes/export", "exportNotes"),
    proxy("GET", "/users/{userId}/notes/{noteId}", "getNote"),
    proxy("ANY", "/members", "members"),
    proxy("GET", "/files/{proxy+}", "files"),
    proxy("POST", "/echo", "echo"),
    {
      httpMethod: "OPTIONS",
      path: "/users/{userId}/notes",
      integration: {
        type: "MOCK",
        responses: [
          {
            statusCode: "200",
            responseParameters: {
              "method.response.header.Access-Control-Allow-Origin": "'*'",
              "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
              "method.response.header.Access-Control-Allow-Headers": `'${CORS}'`,
              "method.response.header.Access-Control-Max-Age": "'600'",
            },
            responseTemplates: {},
          },
        ],
      },
    },
    {
      httpMethod: "ANY",
      path: "/users/{userId}/notes",
      integration: {
        type: "MOCK",
        responses: [
          // Listed first, but only the response without a pattern is the default.
          {
            statusCode: "500",
            selectionPattern: "5\\d{2}",
            responseParameters: {},
            responseTemplates: { "application/json": "{}" },
          },
          {
            statusCode: "405",
            responseParameters: {
              "method.response.header.Access-Control-Allow-Origin": "'*'",
              "method.response.header.Allow": "'GET,POST,OPTIONS'",
            },
            responseTemplates: {
              "application/json": JSON.stringify({
                message: "Method $context.httpMethod is not allowed on $context.resourcePath",
                path: "$context.path",
                stage: "$context.stage",
                requestId: "$context.requestId",
                unknown: "$context.nothing",
              }),
            },
          },
        ],
      },
    },
  ],
  gatewayResponses: ["DEFAULT_4XX", "DEFAULT_5XX"].map((responseType) => ({
    responseType,
    responseParameters: {
      "gatewayresponse.header.Access-Control-Allow-Origin": "'*'",
      "gatewayresponse.header.Access-Control-Allow-Headers": `'${CORS}'`,
      "gatewayresponse.header.X-Response-Type": `'${responseType}'`,
    },
  })),
};

const outcome = (
  result:
    | { result: unknown }
    | { error: { errorType: string; errorMessage: string } }
    | { timedOut: true },
): InvokeOutcome => ({ ...result, requestId: "lambda-request", durationMs: 1, logs: [] });

describe("local API Gateway", () => {
  let gateway: Gateway;
  let stage: string;
  let calls: { functionName: string; event: APIGatewayProxyEvent }[];
  let entries: RequestEntry[];
  let answer: (functionName: string) => InvokeOutcome | Promise<InvokeOutcome>;

  before(async () => {
    gateway = await startGateway({
      api,
      invoke: async (functionName, event) => {
        calls.push({ functionName, event });
        return answer(functionName);
      },
      onRequest: (entry) => entries.push(entry),
    });
    stage = `${gateway.url}/dev`;
  });
  after(() => gateway.close());
  beforeEach(() => {
    calls = [];
    entries = [];
    answer = (functionName) =>
      outcome({ result: { statusCode: 200, body: JSON.stringify({ functionName }) } });
  });

  /** The one event the stub got. */
  function lastEvent(): APIGatewayProxyEvent {
    assert.equal(calls.length, 1, "exactly one invocation");
    return calls[0].event;
  }

  const header = (headers: Record<string, string> | null, name: string) =>
    Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1];

  async function assertGatewayError(
    response: Response,
    status: number,
    body: string,
    kind: string,
  ) {
    assert.equal(response.status, status);
    assert.equal(await response.text(), body);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(response.headers.get("access-control-allow-headers"), CORS);
    assert.equal(response.headers.get("x-response-type"), `DEFAULT_${kind}`);
    assert.match(response.headers.get("x-amzn-requestid") ?? "", /^[0-9a-f-]{36}$/);
  }

  describe("resource matching", () => {
    it("fills decoded path parameters and keeps the event's path as requested", async () => {
      const response = await fetch(`${stage}/users/a%20b%2Bc/notes/n%2F1`);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { functionName: "getNote" });
      const event = lastEvent();
      assert.equal(event.resource, "/users/{userId}/notes/{noteId}");
      assert.equal(event.path, "/users/a%20b%2Bc/notes/n%2F1");
      assert.deepEqual(event.pathParameters, { userId: "a b+c", noteId: "n/1" });
    });

    it("prefers a literal segment over a parameter", async () => {
      await fetch(`${stage}/users/u1/notes/export`);
      const event = lastEvent();
      assert.equal(calls[0].functionName, "exportNotes");
      assert.equal(event.resource, "/users/{userId}/notes/export");
      assert.deepEqual(event.pathParameters, { userId: "u1" });
    });

    it("matches a greedy {proxy+} over every remaining segment", async () => {
      await fetch(`${stage}/files/a/b%20c/d.txt`);
      assert.equal(calls[0].functionName, "files");
      assert.deepEqual(lastEvent().pathParameters, { proxy: "a/b c/d.txt" });
    });

    it("falls back to the resource's ANY method", async () => {
      const response = await fetch(`${stage}/members`, { method: "DELETE" });
      assert.deepEqual(await response.json(), { functionName: "members" });
      assert.equal(lastEvent().httpMethod, "DELETE");
      assert.equal(lastEvent().resource, "/members");
    });

    for (const [what, method, path] of [
      ["an unknown path", "GET", "/dev/nothing/here"],
      ["a resource without methods", "GET", "/dev/users"],
      ["an undeclared method without ANY", "PUT", "/dev/files/a.txt"],
      ["a path outside the stage", "GET", "/prod/members"],
      ["a path that only starts like the stage", "GET", "/devx/members"],
      ["the server root", "GET", "/"],
    ]) {
      it(`answers 403 Missing Authentication Token for ${what}`, async () => {
        const response = await fetch(`${gateway.url}${path}`, { method });
        await assertGatewayError(
          response,
          403,
          '{"message":"Missing Authentication Token"}',
          "4XX",
        );
        assert.equal(calls.length, 0);
      });
    }
  });

  describe("the proxy event", () => {
    it("carries the request as API Gateway REST (v1) sends it", async () => {
      const before = Date.now();
      const response = await fetch(`${stage}/users/u1/notes?tag=a&tag=b&q=x%20y`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          "User-Agent": "gateway-test",
          "X-Trace": "7",
        },
        body: JSON.stringify({ note: "héllo" }),
      });
      const event = lastEvent();
      assert.equal(event.resource, "/users/{userId}/notes");
      assert.equal(event.path, "/users/u1/notes");
      assert.equal(event.httpMethod, "POST");
      assert.equal(header(event.headers as Record<string, string>, "x-trace"), "7");
      assert.equal(header(event.headers as Record<string, string>, "host"), gateway.url.slice(7));
      assert.deepEqual(
        Object.entries(event.multiValueHeaders).find(([k]) => k.toLowerCase() === "x-trace")?.[1],
        ["7"],
      );
      assert.deepEqual(event.queryStringParameters, { tag: "b", q: "x y" });
      assert.deepEqual(event.multiValueQueryStringParameters, { tag: ["a", "b"], q: ["x y"] });
      assert.deepEqual(event.pathParameters, { userId: "u1" });
      assert.equal(event.stageVariables, null);
      assert.equal(event.body, JSON.stringify({ note: "héllo" }));
      assert.equal(event.isBase64Encoded, false);

      const context = event.requestContext;
      assert.equal(context.resourcePath, "/users/{userId}/notes");
      assert.equal(context.httpMethod, "POST");
      assert.equal(context.path, "/dev/users/u1/notes");
      assert.equal(context.stage, "dev");
      assert.equal(context.requestId, response.headers.get("x-amzn-requestid"));
      assert.match(
        context.requestId,
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
      assert.ok(context.requestTimeEpoch >= before && context.requestTimeEpoch <= Date.now());
      assert.equal(context.protocol, "HTTP/1.1");
      assert.equal(context.identity.sourceIp, "127.0.0.1");
      assert.equal(context.identity.userAgent, "gateway-test");
      assert.match(context.accountId, /^\d{12}$/);
      assert.match(context.apiId, /^[a-z0-9]{10}$/);
      assert.equal(context.domainName, gateway.url.slice("http://".length));
      assert.match(context.resourceId, /^[a-z0-9]{6}$/);
    });

    it("gives null where API Gateway gives null: no query, path parameters or body", async () => {
      await fetch(`${stage}/members`);
      const event = lastEvent();
      assert.equal(event.queryStringParameters, null);
      assert.equal(event.multiValueQueryStringParameters, null);
      assert.equal(event.pathParameters, null);
      assert.equal(event.body, null);
      assert.equal(event.isBase64Encoded, false);
    });

    it("gives null headers to a request that sent none", async () => {
      // Only HTTP/1.0 may omit Host; fetch always sends headers, so this one is written by hand.
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(gateway.port, "127.0.0.1", () =>
          socket.end("GET /dev/members HTTP/1.0\r\n\r\n"),
        );
        let text = "";
        socket.on("data", (chunk) => (text += chunk.toString()));
        socket.on("end", () => resolve(text));
        socket.on("error", reject);
      });
      assert.match(reply, /^HTTP\/1\.[01] 200/);
      const event = lastEvent();
      assert.equal(event.headers, null);
      assert.equal(event.multiValueHeaders, null);
      assert.equal(event.requestContext.protocol, "HTTP/1.0");
      assert.equal(event.requestContext.identity.userAgent, null);
    });

    it("base64-encodes a binary body and flags it", async () => {
      const bytes = Buffer.from([0, 255, 1, 2, 0x80]);
      await fetch(`${stage}/echo`, {
        method: "POST",
        headers: { "Content-Type": "application/octet-stream" },
        body: bytes,
      });
      const event = lastEvent();
      assert.equal(event.isBase64Encoded, true);
      assert.equal(event.body, bytes.toString("base64"));
    });

    it("passes a text body with a charset as UTF-8 text", async () => {
      await fetch(`${stage}/echo`, {
        method: "POST",
        headers: { "Content-Type": "text/plain; charset=utf-8" },
        body: "naïve ✓",
      });
      assert.equal(lastEvent().body, "naïve ✓");
      assert.equal(lastEvent().isBase64Encoded, false);
    });
  });

  describe("the function's answer", () => {
    it("returns a proxy result's status, headers and body", async () => {
      answer = () =>
        outcome({
          result: {
            statusCode: 201,
            headers: {
              "Content-Type": "text/plain",
              "X-Count": 3,
              "X-Flag": true,
              "Set-Cookie": "z=0",
            },
            multiValueHeaders: { "Set-Cookie": ["a=1", "b=2"] },
            body: "created",
          },
        });
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      assert.equal(response.status, 201);
      assert.equal(await response.text(), "created");
      assert.equal(response.headers.get("content-type"), "text/plain");
      assert.equal(response.headers.get("x-count"), "3");
      assert.equal(response.headers.get("x-flag"), "true");
      assert.deepEqual(response.headers.getSetCookie(), ["a=1", "b=2"]);
      assert.equal(response.headers.get("x-amzn-requestid"), lastEvent().requestContext.requestId);
    });

    it("remaps the framing headers a function may not set, as API Gateway does", async () => {
      answer = () =>
        outcome({ result: { statusCode: 200, headers: { "Content-Length": "999" }, body: "abc" } });
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      assert.equal(await response.text(), "abc");
      assert.equal(response.headers.get("content-length"), "3");
      assert.equal(response.headers.get("x-amzn-remapped-content-length"), "999");
    });

    it("defaults the content type to JSON and accepts a result without a body", async () => {
      answer = () => outcome({ result: { statusCode: 204 } });
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.equal(await response.text(), "");
    });

    it("decodes a base64 body", async () => {
      const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff]);
      answer = () =>
        outcome({
          result: {
            statusCode: 200,
            headers: { "Content-Type": "image/png" },
            body: png.toString("base64"),
            isBase64Encoded: true,
          },
        });
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      assert.deepEqual(Buffer.from(await response.arrayBuffer()), png);
    });

    const malformed: [string, unknown][] = [
      ["null", null],
      ["a string", "ok"],
      ["an array", [200]],
      ["no statusCode", { body: "x" }],
      ["a string statusCode", { statusCode: "200" }],
      ["a fractional statusCode", { statusCode: 200.5 }],
      ["a statusCode below 100", { statusCode: 99 }],
      ["a statusCode above 599", { statusCode: 600 }],
      ["an object body", { statusCode: 200, body: { a: 1 } }],
      ["a string isBase64Encoded", { statusCode: 200, body: "", isBase64Encoded: "yes" }],
      ["headers that are not an object", { statusCode: 200, headers: "x" }],
      ["an object header value", { statusCode: 200, headers: { "X-A": {} } }],
      ["a header value with a newline", { statusCode: 200, headers: { "X-A": "a\nb" } }],
      ["an invalid header name", { statusCode: 200, headers: { "X A": "a" } }],
      [
        "multiValueHeaders values that are not arrays",
        { statusCode: 200, multiValueHeaders: { "X-A": "a" } },
      ],
    ];
    for (const [what, result] of malformed) {
      it(`answers 502 to a result with ${what}`, async () => {
        answer = () => outcome({ result });
        const response = await fetch(`${stage}/echo`, { method: "POST" });
        await assertGatewayError(response, 502, '{"message": "Internal server error"}', "5XX");
      });
    }

    it("answers 502 to a function error", async () => {
      answer = () => outcome({ error: { errorType: "TypeError", errorMessage: "boom" } });
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      await assertGatewayError(response, 502, '{"message": "Internal server error"}', "5XX");
    });

    it("answers 504 to a timeout", async () => {
      answer = () => outcome({ timedOut: true });
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      await assertGatewayError(response, 504, '{"message": "Endpoint request timed out"}', "5XX");
    });

    it("answers 500 when the function cannot be invoked at all", async () => {
      answer = () => Promise.reject(new Error("no such function"));
      const response = await fetch(`${stage}/echo`, { method: "POST" });
      await assertGatewayError(response, 500, '{"message": "Internal server error"}', "5XX");
    });
  });

  describe("MOCK integrations", () => {
    it("answers a CORS preflight from the integration response, without a function", async () => {
      const response = await fetch(`${stage}/users/u1/notes`, { method: "OPTIONS" });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("access-control-allow-origin"), "*");
      assert.equal(response.headers.get("access-control-allow-methods"), "GET,POST,OPTIONS");
      assert.equal(response.headers.get("access-control-allow-headers"), CORS);
      assert.equal(response.headers.get("access-control-max-age"), "600");
      assert.equal(response.headers.get("content-type"), null);
      assert.equal(await response.text(), "");
      assert.equal(calls.length, 0);
    });

    it("renders the default response's template with $context values", async () => {
      const response = await fetch(`${stage}/users/u1/notes`, { method: "PATCH", body: "{}" });
      assert.equal(response.status, 405);
      assert.equal(response.headers.get("allow"), "GET,POST,OPTIONS");
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.deepEqual(await response.json(), {
        message: "Method PATCH is not allowed on /users/{userId}/notes",
        path: "/dev/users/u1/notes",
        stage: "dev",
        requestId: response.headers.get("x-amzn-requestid"),
        unknown: "$context.nothing",
      });
      assert.equal(calls.length, 0);
    });
  });

  describe("request size", () => {
    it("accepts a body of exactly 10 MB", async () => {
      const body = "a".repeat(10 * 1024 * 1024);
      const response = await fetch(`${stage}/echo`, { method: "POST", body });
      assert.equal(response.status, 200);
      assert.equal(lastEvent().body?.length, body.length);
    });

    it("answers 413 Request Too Long above 10 MB, without invoking", async () => {
      const response = await fetch(`${stage}/echo`, {
        method: "POST",
        body: Buffer.alloc(10 * 1024 * 1024 + 1, 97),
      });
      await assertGatewayError(response, 413, '{"message":"Request Too Long"}', "4XX");
      assert.equal(calls.length, 0);
    });
  });

  it("reports every request once to onRequest", async () => {
    const proxied = await fetch(`${stage}/users/u1/notes/n1?x=1`);
    const missing = await fetch(`${stage}/nothing`, { method: "DELETE" });
    const mocked = await fetch(`${stage}/users/u1/notes`, { method: "OPTIONS" });
    await Promise.all([proxied, missing, mocked].map((r) => r.arrayBuffer()));
    assert.deepEqual(
      entries.map(({ durationMs, requestId, ...rest }) => {
        assert.ok(durationMs >= 0);
        assert.match(requestId, /^[0-9a-f-]{36}$/);
        return rest;
      }),
      [
        { method: "GET", path: "/dev/users/u1/notes/n1", status: 200, functionName: "getNote" },
        { method: "DELETE", path: "/dev/nothing", status: 403, functionName: undefined },
        { method: "OPTIONS", path: "/dev/users/u1/notes", status: 200, functionName: undefined },
      ],
    );
    assert.deepEqual(
      entries.map((e) => e.requestId),
      [proxied, missing, mocked].map((r) => r.headers.get("x-amzn-requestid")),
    );
  });
});

describe("local API Gateway, as AWS answers the odd request", () => {
  let gateway: Gateway;
  let events: APIGatewayProxyEvent[];

  const start = async (throttle?: LocalApi["throttle"]) => {
    gateway = await startGateway({
      api: { ...api, throttle },
      invoke: async (_, event) => {
        events.push(event);
        return outcome({ result: { statusCode: 200, body: "{}" } });
      },
    });
    return `${gateway.url}/dev`;
  };
  beforeEach(() => (events = []));
  afterEach(() => gateway.close());

  it("treats __proto__, constructor, toString … in a query or header as ordinary names", async () => {
    const stage = await start();
    const names = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
    const query = names.map((n) => `${n}=q-${n}`).join("&");
    const headers = Object.fromEntries(names.map((n) => [`x-${n}`, `h-${n}`]));
    const response = await fetch(`${stage}/users/u1/notes/n1?${query}&toString=again`, {
      headers: { ...headers, constructor: "c" },
    });
    assert.equal(response.status, 200);
    const [event] = events;
    const own = (o: unknown, k: string) => Object.getOwnPropertyDescriptor(o, k)?.value;
    for (const n of names) {
      assert.equal(own(event.queryStringParameters, n), n === "toString" ? "again" : `q-${n}`);
      assert.equal(own(event.headers, `x-${n}`), `h-${n}`);
    }
    assert.deepEqual(own(event.multiValueQueryStringParameters, "toString"), [
      "q-toString",
      "again",
    ]);
    assert.equal(own(event.headers, "constructor"), "c");
  });

  it("matches no resource for an empty segment: /users/u1//notes is not /users/u1/notes", async () => {
    const stage = await start();
    const doubled = await fetch(`${stage}/users/u1//notes`);
    assert.equal(doubled.status, 403);
    assert.equal(await doubled.text(), '{"message":"Missing Authentication Token"}');
    assert.equal((await fetch(`${stage}/users/u1/notes/`)).status, 200, "a trailing slash");
    assert.equal(events.length, 1);
  });

  it("answers 413 as API Gateway does when the event is over Lambda's payload limit", async () => {
    gateway = await startGateway({
      api,
      invoke: async () => {
        throw new RequestTooLarge(7_000_000);
      },
    });
    const reply = await fetch(`${gateway.url}/dev/echo`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note: "x".repeat(7_000_000) }),
    });
    assert.equal(reply.status, 413);
    assert.equal(await reply.text(), '{"message": "Request Too Long"}');
    assert.equal(reply.headers.get("access-control-allow-origin"), "*");
  });

  it("answers 414 with a JSON body past the regional URL limit, not Node's empty 431", async () => {
    const stage = await start();
    const long = await fetch(`${stage}/users/u1/notes/n1?q=${"x".repeat(10_240)}`);
    assert.equal(long.status, 414);
    assert.equal(await long.text(), '{"message":"Request URI too long"}');
    assert.equal(long.headers.get("access-control-allow-origin"), "*");
    const fits = await fetch(`${stage}/users/u1/notes/n1?q=${"x".repeat(9_000)}`);
    assert.equal(fits.status, 200);
    assert.equal(events.length, 1);
  });

  it("answers 414 when an authorized method's ARN would pass 1,600 bytes", async () => {
    const authorized = api.methods.map((m) =>
      m.httpMethod === "GET" && m.path === "/users/{userId}/notes/{noteId}"
        ? { ...m, userPoolIds: ["pool"] }
        : m,
    );
    gateway = await startGateway({
      api: { ...api, methods: authorized },
      region: "ap-northeast-2",
      authorize: async () => ({ claims: { sub: "u1" } }),
      invoke: async (_, event) => {
        events.push(event);
        return outcome({ result: { statusCode: 200, body: "{}" } });
      },
    });
    const stage = `${gateway.url}/dev`;
    // arn:aws:execute-api:ap-northeast-2:123456789012:<10>/dev/GET/users/u1/notes/<id>: 82 + id
    assert.equal((await fetch(`${stage}/users/u1/notes/${"n".repeat(1_518)}`)).status, 200);
    const over = await fetch(`${stage}/users/u1/notes/${"n".repeat(1_519)}`);
    assert.equal(over.status, 414);
    assert.equal(events.length, 1);
  });

  describe("keeps the authorizer's answer per token for its TTL, as API Gateway's cache does", () => {
    const exp = () => String(Math.floor(Date.now() / 1000) + 3600);
    async function gatewayWith(ttl: number | undefined, claims: () => Record<string, string>) {
      const asked: (string | undefined)[] = [];
      const authorized = api.methods.map((m) =>
        m.httpMethod === "GET" && m.path === "/users/{userId}/notes/{noteId}"
          ? { ...m, userPoolIds: ["pool"], authorizerTtlSeconds: ttl }
          : m,
      );
      gateway = await startGateway({
        api: { ...api, methods: authorized },
        authorize: async (_, token) => {
          asked.push(token);
          return token === "good" ? { claims: claims() } : { refused: "bad token" };
        },
        invoke: async (_, event) => {
          events.push(event);
          return outcome({ result: { statusCode: 200, body: "{}" } });
        },
      });
      const get = (token: string) =>
        fetch(`${gateway.url}/dev/users/u1/notes/n1`, { headers: { Authorization: token } });
      return { asked, get };
    }

    it("asks once for a token within the TTL, and passes the same claims each time", async () => {
      const { asked, get } = await gatewayWith(300, () => ({ sub: "u1", exp: exp() }));
      for (let i = 0; i < 3; i++) assert.equal((await get("good")).status, 200);
      assert.deepEqual(asked, ["good"]);
      assert.deepEqual(
        events.map((e) => e.requestContext.authorizer?.claims.sub),
        ["u1", "u1", "u1"],
      );
    });

    it("asks every time with a TTL of 0, and never keeps a refusal", async () => {
      const { asked, get } = await gatewayWith(0, () => ({ sub: "u1", exp: exp() }));
      assert.equal((await get("good")).status, 200);
      assert.equal((await get("good")).status, 200);
      assert.equal((await get("bad")).status, 401);
      assert.equal((await get("bad")).status, 401);
      assert.deepEqual(asked, ["good", "good", "bad", "bad"]);
    });

    it("does not keep an answer past the token's expiry", async () => {
      const past = String(Math.floor(Date.now() / 1000) - 1);
      const { asked, get } = await gatewayWith(300, () => ({ sub: "u1", exp: past }));
      assert.equal((await get("good")).status, 200);
      assert.equal((await get("good")).status, 200);
      assert.deepEqual(asked, ["good", "good"]);
    });
  });

  it("throttles the stage: a burst over burstLimit answers 429 Too Many Requests, with CORS", async () => {
    const stage = await start({ rateLimit: 1, burstLimit: 3 });
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => fetch(`${stage}/users/u1/notes/n1`)),
    );
    const statuses = replies.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429, 429, 429, 429, 429]);
    const throttled = replies.find((r) => r.status === 429)!;
    assert.equal(await throttled.text(), '{"message":"Too Many Requests"}');
    assert.equal(throttled.headers.get("access-control-allow-origin"), "*");
    assert.equal(events.length, 3, "a throttled request reaches no function");
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await fetch(`${stage}/users/u1/notes/n1`)).status, 200, "refilled at rateLimit");
  });
});
