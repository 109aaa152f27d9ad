// `npm start`'s reload: the program recorded again and only what changed stood up again, the
// data kept; a program error leaves the last good stack serving; nothing is left behind.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLocalStack } from "../../local/localStack";
import type { LocalStack, ReloadOutcome } from "../../local/localStack";
import { recordStack } from "../../local/recordStack";
import type { RecordedStack } from "../../local/recordStack";

/** What the test changes in the program before each (re)recording. */
const change = { handler: false, slow: false, dropMembersGet: false };

/** listNotes answering with one more field: what an edit of app/notes.ts would do. */
function changeListNotes(recorded: RecordedStack): void {
  const fn = recorded.resources.find(
    (r) => r.type === "aws:lambda/function:Function" && r.name === "listNotes",
  );
  assert.ok(fn, "the program declares listNotes");
  const code = fn.inputs.code as {
    $archive: { assets: Record<string, { $asset: { text: string } }> };
  };
  const index = code.$archive.assets["__index.js"].$asset;
  index.text +=
    "\nconst __before = exports.handler;\n" +
    "exports.handler = async (event, context) => {\n" +
    "  const reply = await __before(event, context);\n" +
    "  return { ...reply, body: JSON.stringify({ ...JSON.parse(reply.body), handlerVersion: 2 }) };\n" +
    "};\n";
}

/** listNotes saying it started, then answering with `slow: true` once `release` exists. */
function slowListNotes(recorded: RecordedStack, release: string): void {
  const fn = recorded.resources.find(
    (r) => r.type === "aws:lambda/function:Function" && r.name === "listNotes",
  );
  assert.ok(fn, "the program declares listNotes");
  const code = fn.inputs.code as {
    $archive: { assets: Record<string, { $asset: { text: string } }> };
  };
  code.$archive.assets["__index.js"].$asset.text +=
    "\nconst __fast = exports.handler;\n" +
    "exports.handler = async (event, context) => {\n" +
    "  console.log('slow listNotes started');\n" +
    `  while (!require("fs").existsSync(${JSON.stringify(release)})) {\n` +
    "    await new Promise((resolve) => setTimeout(resolve, 20));\n" +
    "  }\n" +
    "  const reply = await __fast(event, context);\n" +
    "  return { ...reply, body: JSON.stringify({ ...JSON.parse(reply.body), slow: true }) };\n" +
    "};\n";
}

/** The program without its GET /members method: what removing a route from app/routes.ts does. */
function dropMembersGet(recorded: RecordedStack): void {
  const members = recorded.resources.find(
    (r) => r.type === "aws:apigateway/resource:Resource" && r.inputs.pathPart === "members",
  );
  assert.ok(members, "the program declares /members");
  const before = recorded.resources.length;
  recorded.resources = recorded.resources.filter(
    (r) =>
      !(
        /^aws:apigateway\/(method|integration):/.test(r.type) &&
        r.inputs.resourceId === members.id &&
        r.inputs.httpMethod === "GET"
      ),
  );
  assert.equal(recorded.resources.length, before - 2, "one method and its integration");
}

const DEMO = { email: "demo@example.com", password: "DemoNotes2024" };

describe("npm start reloads a changed program in place", function () {
  this.timeout(240_000);
  // The stack's temp folders go in one of this suite's own (os.tmpdir() follows TMPDIR), so
  // that what is left behind can be counted without other processes adding to it.
  let tmp: string;
  let savedTmp: string | undefined;
  let local: LocalStack | undefined;
  let token: string;
  let sub: string;
  const logs: string[] = [];

  const call = async (method: string, route: string, body?: unknown, auth = true) => {
    const response = await fetch(`${local!.apiUrl}${route}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(auth ? { Authorization: token } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
  const ownFolders = () =>
    fs.readdirSync(tmp).filter((f) => /^(lambda-task-|lambda-runtime-)/.test(f));

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "local-reload-"));
    savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    local = await startLocalStack({
      stack: "dev",
      dataDir: path.join(tmp, "data"),
      ports: { site: 0, api: 0, dynamodb: 0, s3: 0 },
      demoUser: DEMO,
      onFunctionLog: (_fn, line) => logs.push(line.text),
      rewrite: (recorded) => {
        if (change.handler) changeListNotes(recorded);
        if (change.slow) slowListNotes(recorded, path.join(tmp, "release"));
        if (change.dropMembersGet) dropMembersGet(recorded);
      },
    });
    const [pool] = local.app.userPools;
    const { cognitoCall } = await import("../../local/cognito");
    const reply = await cognitoCall(local.cognito!.endpoint, "InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: pool.clients[0].id,
      AuthParameters: { USERNAME: DEMO.email, PASSWORD: DEMO.password },
    });
    token = (reply.AuthenticationResult as { IdToken: string }).IdToken;
    sub = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub as string;
  });
  after(async () => {
    await local?.close();
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("starts a changed handler again, and a note stored before is still there", async () => {
    const created = await call("POST", `/users/${sub}/notes`, { note: "kept across reloads" });
    assert.equal(created.status, 201);
    const before = await call("GET", `/users/${sub}/notes`);
    assert.equal(before.body.handlerVersion, undefined);

    change.handler = true;
    const outcome = await local!.reload();
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.deepEqual(outcome.plan.functionsStarted, ["serverless-notes-dev-listNotes"]);
    assert.equal(outcome.summary, "functions listNotes");

    const after = await call("GET", `/users/${sub}/notes`);
    assert.equal(after.status, 200);
    assert.equal(after.body.handlerVersion, 2);
    assert.deepEqual(
      after.body.notes.map((n: { note: string }) => n.note),
      ["kept across reloads"],
    );
    // The old worker's folder went with it: one per function, as at start.
    assert.equal(
      ownFolders().filter((f) => f.startsWith("lambda-task-")).length,
      local!.app.functions.length,
    );
  });

  it("lets an invocation under way finish on the worker it started on", async () => {
    change.slow = true;
    const slowed = await local!.reload();
    assert.ok(slowed.ok && slowed.summary === "functions listNotes", JSON.stringify(slowed));
    const answer: { reply?: Awaited<ReturnType<typeof call>> } = {};
    const underWay = call("GET", `/users/${sub}/notes`).then((reply) => (answer.reply = reply));
    while (!logs.some((l) => l.includes("slow listNotes started"))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    change.slow = false;
    const outcome = await local!.reload();
    assert.ok(outcome.ok && outcome.summary === "functions listNotes", JSON.stringify(outcome));
    assert.equal(answer.reply, undefined, "still under way after the reload");
    fs.writeFileSync(path.join(tmp, "release"), "");
    // Answered by the replaced worker, after the reload swapped in the new one.
    const answered = await underWay;
    assert.equal(answered.status, 200);
    assert.equal(answered.body.slow, true);
    const next = await call("GET", `/users/${sub}/notes`);
    assert.equal(next.body.slow, undefined);
    assert.equal(next.body.handlerVersion, 2);
  });

  it("serves a changed route set, and reloads nothing when nothing changed", async () => {
    assert.equal((await call("GET", "/members", undefined, false)).status, 200);
    change.dropMembersGet = true;
    const outcome = await local!.reload();
    assert.ok(outcome.ok, JSON.stringify(outcome));
    assert.equal(outcome.summary, "routes");
    // The program answers a method it does not declare on a path it does with a 405 of its own.
    const gone = await call("GET", "/members", undefined, false);
    assert.equal(gone.status, 405);
    assert.equal(gone.body.error.code, "MethodNotAllowed");
    assert.equal((await call("POST", "/members", undefined, false)).status, 201);

    const again = await local!.reload();
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.summary, "nothing changed");
  });

  it("keeps serving the last good stack when the program fails", async () => {
    const broken = await recordStack("dev", {
      set: { "serverless-notes:logRetentionDays": "-1" },
    });
    assert.ok(broken.error, "the program fails with this config");
    const outcome: ReloadOutcome = await local!.reload(broken);
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok, "the reload failed");
    // One line: what was thrown and where in the project, no stack frames.
    assert.match(
      outcome.error,
      /^ConfigError: Invalid configuration "serverless-notes:logRetentionDays": "-1" is not one of 1, 3, 5, .* \(infra\/config\.ts:\d+:\d+\)$/,
    );

    const listed = await call("GET", `/users/${sub}/notes`);
    assert.equal(listed.status, 200);
    assert.equal(listed.body.handlerVersion, 2, "the last good handler still answers");
    assert.equal((await call("GET", "/members", undefined, false)).status, 405);
  });

  it("leaves no worker or folder behind when the stack closes", async () => {
    assert.ok(ownFolders().length > 0);
    await local!.close();
    local = undefined;
    assert.deepEqual(ownFolders(), []);
  });
});
