// The local stack's user pool and its API Gateway authorizer: cognito-local stood up from the
// program's pool and client, and each notes method checking the ID token as API Gateway does.
import { strict as assert } from "node:assert";
import { createPrivateKey, sign } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cognitoCall } from "../../local/cognito";
import { startLocalStack } from "../../local/localStack";
import type { LocalStack } from "../../local/localStack";

const DEMO = { email: "demo@example.com", password: "DemoNotes2024" };

// cognito-local signs every token with the key it ships; signing changed claims with the same
// key makes a token whose signature is good, so only the claim checks can refuse it.
const EMULATOR_KEY = createPrivateKey({
  key: JSON.parse(
    fs.readFileSync(require.resolve("cognito-local/lib/keys/cognitoLocal.private.json"), "utf8"),
  ).jwk,
  format: "jwk",
});

/** The token with some claims changed, signed again with the emulator's own key. */
function resigned(token: string, change: Record<string, unknown>): string {
  const [head, body] = token.split(".");
  const claims = { ...JSON.parse(Buffer.from(body, "base64url").toString()), ...change };
  const payload = `${head}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  const signature = sign("RSA-SHA256", Buffer.from(payload), EMULATOR_KEY);
  return `${payload}.${signature.toString("base64url")}`;
}

describe("local stack: sign-in (cognito-local) and the Cognito authorizer", function () {
  this.timeout(120_000);
  let local: LocalStack;
  let dataDir: string;
  let idToken: string;
  let accessToken: string;
  let sub: string;

  const call = (urlPath: string, token?: string, init: RequestInit = {}) =>
    fetch(`${local.apiUrl}${urlPath}`, {
      ...init,
      headers: { ...(token ? { Authorization: token } : {}), ...(init.headers ?? {}) },
    });

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-cognito-"));
    local = await startLocalStack({ dataDir, fresh: true, demoUser: DEMO });
    const [pool] = local.app.userPools;
    const signedIn = await cognitoCall(local.cognito!.endpoint, "InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: pool.clients[0].id,
      AuthParameters: { USERNAME: DEMO.email, PASSWORD: DEMO.password },
    });
    const result = signedIn.AuthenticationResult as { IdToken: string; AccessToken: string };
    idToken = result.IdToken;
    accessToken = result.AccessToken;
    sub = JSON.parse(Buffer.from(idToken.split(".")[1], "base64url").toString()).sub;
  });

  after(async () => {
    const before = fs
      .readdirSync(os.tmpdir())
      .filter((f) => f.startsWith("serverless-notes-cognito-"));
    await local?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    // The emulator's data directory goes with it.
    const left = fs
      .readdirSync(os.tmpdir())
      .filter((f) => f.startsWith("serverless-notes-cognito-"));
    assert.ok(left.length < before.length || before.length === 0, left.join(", "));
  });

  it("stands up the program's own pool and client, with the demo user", () => {
    const [pool] = local.app.userPools;
    assert.equal(pool.id, local.app.outputs.userPoolId);
    assert.equal(pool.clients[0].id, local.app.outputs.userPoolClientId);
    assert.match(sub, /^[0-9a-f-]{36}$/);
  });

  it("points the page's config.js at the emulator", () => {
    const config = local.app.site.objects.find((o) => o.key === "config.js")!;
    assert.match(config.body.toString(), new RegExp(`"endpoint": "${local.cognito!.endpoint}"`));
  });

  it("lets the owner's ID token through, with the claims API Gateway passes on", async () => {
    const created = await call(`/users/${sub}/notes`, idToken, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ note: "mine" }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const listed = await call(`/users/${sub}/notes`, idToken);
    assert.equal(listed.status, 200);
    assert.deepEqual(
      ((await listed.json()) as { notes: { note: string }[] }).notes.map((n) => n.note),
      ["mine"],
    );
  });

  const refusedTokens: [string, () => string | undefined][] = [
    ["no token", () => undefined],
    ["an access token (the authorizer takes ID tokens)", () => accessToken],
    ["an ID token with a forged signature", () => idToken.replace(/.{8}$/, "AAAAAAAA")],
    [
      "an ID token whose claims were changed",
      () => {
        const [head, body, signature] = idToken.split(".");
        const claims = JSON.parse(Buffer.from(body, "base64url").toString());
        const forged = Buffer.from(JSON.stringify({ ...claims, sub: "someone-else" }));
        return `${head}.${forged.toString("base64url")}.${signature}`;
      },
    ],
    [
      "an ID token that expired a minute ago",
      () => resigned(idToken, { exp: Math.floor(Date.now() / 1000) - 60 }),
    ],
    ["an ID token for another app client", () => resigned(idToken, { aud: "another-client" })],
    [
      "an ID token from another user pool",
      () => resigned(idToken, { iss: `${local.cognito!.endpoint}ap-northeast-2_other` }),
    ],
    ["a Bearer-prefixed token", () => `Bearer ${idToken}`],
    ["garbage", () => "not-a-jwt"],
  ];
  for (const [what, token] of refusedTokens) {
    it(`answers 401 with CORS and the JSON error to ${what}, on every notes path`, async () => {
      for (const p of [
        `/users/${sub}/notes`,
        `/users/${sub}/notes/export`,
        `/users/${sub}/notes/n1`,
      ]) {
        const reply = await call(p, token());
        assert.equal(reply.status, 401, p);
        assert.equal(reply.headers.get("access-control-allow-origin"), "*");
        assert.deepEqual(await reply.json(), {
          error: { code: "Unauthorized", message: "Unauthorized" },
        });
      }
    });
  }

  it("accepts a token re-signed with unchanged claims: the refusals above are the claims'", async () => {
    const reply = await call(`/users/${sub}/notes`, resigned(idToken, {}));
    assert.equal(reply.status, 200);
  });

  it("answers 403 from the handler to a valid token on another user's path", async () => {
    const reply = await call("/users/someone-else/notes", idToken);
    assert.equal(reply.status, 403);
    assert.equal(((await reply.json()) as { error: { code: string } }).error.code, "Forbidden");
  });

  it("leaves the moods public", async () => {
    assert.equal((await call("/members")).status, 200);
  });
});
