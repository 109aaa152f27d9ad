import assert from "node:assert/strict";
import { clientError, endpoint, json, noContent, parseJsonBody } from "../../app/http";
import type { Handler } from "../../app/http";
import { lambdaContext, proxyEvent } from "../support/events";
import { errorOf, invoke, capturingConsoleError } from "../support/invoke";

/** A handler that answers with the parsed body, as a route with a JSON body would. */
const echo: Handler = endpoint("POST", async (event) => json(200, parseJsonBody(event)));

function withCorsOrigin<T>(origin: string | undefined, run: () => Promise<T>): Promise<T> {
  const saved = process.env.CORS_ORIGIN;
  if (origin === undefined) delete process.env.CORS_ORIGIN;
  else process.env.CORS_ORIGIN = origin;
  return run().finally(() => {
    if (saved === undefined) delete process.env.CORS_ORIGIN;
    else process.env.CORS_ORIGIN = saved;
  });
}

describe("http", () => {
  describe("responses", () => {
    it("are JSON with a CORS origin of * by default", async () => {
      const reply = await withCorsOrigin(undefined, () =>
        invoke(echo, { method: "POST", resource: "/echo", body: { a: 1 } }),
      );
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { a: 1 });
      assert.deepEqual(reply.headers, {
        "Content-Type": "application/json",
        "Access-Control-Allow-Origin": "*",
      });
    });

    it("carry the configured origin and Vary: Origin, errors and 204s included", async () => {
      const origin = "http://notes-site.s3-website.ap-northeast-2.amazonaws.com";
      await withCorsOrigin(origin, async () => {
        const replies = [
          await invoke(echo, { method: "POST", resource: "/echo", body: {} }),
          await invoke(echo, { method: "POST", resource: "/echo", body: "[]" }),
          await invoke(echo, { method: "GET", resource: "/echo" }),
        ];
        for (const reply of replies) {
          assert.equal(reply.headers["Access-Control-Allow-Origin"], origin);
          assert.equal(reply.headers.Vary, "Origin");
        }
        assert.deepEqual(noContent().headers, {
          "Access-Control-Allow-Origin": origin,
          Vary: "Origin",
        });
      });
    });

    it("answers 204 with an empty body", () => {
      const reply = noContent();
      assert.equal(reply.statusCode, 204);
      assert.equal(reply.body, "");
    });
  });

  describe("endpoint", () => {
    it("answers another method with 405 and an Allow header, without running the handler", async () => {
      let ran = false;
      const handler = endpoint("DELETE", async () => {
        ran = true;
        return noContent();
      });
      const reply = await invoke(handler, { method: "GET", resource: "/x" });
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.Allow, "DELETE");
      assert.equal(errorOf(reply).code, "MethodNotAllowed");
      assert.equal(ran, false);
    });

    it("turns a client error into its status, code, message and headers", async () => {
      const handler = endpoint("GET", async () => {
        throw clientError(418, "Teapot", "I am a teapot", { "Retry-After": "5" });
      });
      const reply = await invoke(handler, { method: "GET", resource: "/x" });
      assert.equal(reply.status, 418);
      assert.deepEqual(reply.body, { error: { code: "Teapot", message: "I am a teapot" } });
      assert.equal(reply.headers["Retry-After"], "5");
      assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
    });

    it("answers anything else with a generic 500 and logs it with both request ids", async () => {
      const handler = endpoint("GET", async () => {
        throw new Error("connection string postgres://admin:secret@db");
      });
      const event = proxyEvent({ method: "GET", resource: "/x" });
      const context = lambdaContext();
      const { result, logged } = await capturingConsoleError(() => handler(event, context));
      assert.equal(result.statusCode, 500);
      assert.equal(
        result.body,
        '{"error":{"code":"InternalError","message":"Internal server error"}}',
      );
      assert.equal(result.headers?.["Access-Control-Allow-Origin"], "*");
      assert.equal(logged.length, 1);
      assert.ok(String(logged[0][0]).includes(context.awsRequestId));
      assert.ok(String(logged[0][0]).includes(event.requestContext.requestId));
      assert.ok(logged[0].some((arg) => arg instanceof Error && /secret/.test(arg.message)));
    });

    it("treats a thrown object that only looks like a client error as a server fault", async () => {
      const handler = endpoint("GET", async () => {
        throw { status: 400, code: "Sneaky", message: "not an Error" };
      });
      const consoleError = console.error;
      console.error = () => undefined;
      let reply;
      try {
        reply = await invoke(handler, { method: "GET", resource: "/x" });
      } finally {
        console.error = consoleError;
      }
      assert.equal(reply.status, 500);
    });
  });

  describe("parseJsonBody", () => {
    const post = (body: string, headers: Record<string, string> | null, isBase64Encoded = false) =>
      invoke(
        echo,
        { method: "POST", resource: "/echo", body },
        // API Gateway can send null headers, which the event type does not admit.
        { headers: headers as Record<string, string>, isBase64Encoded },
      );

    it("accepts application/json with parameters, in any case, under any header case", async () => {
      for (const [name, value] of [
        ["Content-Type", "application/json"],
        ["content-type", "application/json; charset=utf-8"],
        ["CONTENT-TYPE", "Application/JSON;charset=UTF-8"],
      ]) {
        const reply = await post('{"ok":true}', { [name]: value });
        assert.equal(reply.status, 200, `${name}: ${value}`);
        assert.deepEqual(reply.body, { ok: true });
      }
    });

    it("answers 415 to a missing or non-JSON content type, headers null included", async () => {
      const cases: (Record<string, string> | null)[] = [
        null,
        {},
        { "Content-Type": "text/json" },
        { "Content-Type": "application/json-seq" },
      ];
      for (const headers of cases) {
        const reply = await post('{"ok":true}', headers);
        assert.equal(reply.status, 415, JSON.stringify(headers));
        assert.equal(errorOf(reply).code, "UnsupportedMediaType");
      }
    });

    it("accepts exactly 64 KiB and rejects one byte more, counting bytes", async () => {
      const headers = { "Content-Type": "application/json" };
      const padded = (bytes: number) => `{"p":"${"x".repeat(bytes - 8)}"}`;
      assert.equal(Buffer.byteLength(padded(65_536)), 65_536);
      assert.equal((await post(padded(65_536), headers)).status, 200);
      const over = await post(padded(65_537), headers);
      assert.equal(over.status, 400);
      assert.equal(errorOf(over).code, "PayloadTooLarge");

      const multibyte = `{"p":"${"é".repeat(33_000)}"}`;
      assert.ok(multibyte.length < 65_536);
      assert.equal(errorOf(await post(multibyte, headers)).code, "PayloadTooLarge");
    });

    it("decodes a base64-encoded body and counts its decoded bytes", async () => {
      const headers = { "Content-Type": "application/json" };
      const encoded = Buffer.from('{"text":"héllo"}').toString("base64");
      const reply = await post(encoded, headers, true);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.body, { text: "héllo" });

      // 64 KiB decoded is about 87 KiB of base64: only the decoded size counts.
      const exact = Buffer.from(`{"p":"${"x".repeat(65_536 - 8)}"}`).toString("base64");
      assert.equal((await post(exact, headers, true)).status, 200);
    });

    it("answers 400 to malformed JSON and to JSON that is not an object", async () => {
      const headers = { "Content-Type": "application/json" };
      for (const [body, code] of [
        ["{", "InvalidJson"],
        ["", "InvalidJson"],
        ["{'single': 'quotes'}", "InvalidJson"],
        ["[1, 2]", "InvalidBody"],
        ["3", "InvalidBody"],
        ["true", "InvalidBody"],
        ["null", "InvalidBody"],
      ]) {
        const reply = await post(body, headers);
        assert.equal(reply.status, 400, body);
        assert.equal(errorOf(reply).code, code, body);
      }
    });
  });
});
