// `npm start` as a person uses it: the dev stack's own program stood up on this machine, its
// website driven in headless Chromium, and DynamoDB read directly to confirm what the page shows.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Browser } from "playwright-core";
import { cognitoCall } from "../../local/cognito";
import { startLocalStack } from "../../local/localStack";
import type { LocalStack, LocalStackOptions } from "../../local/localStack";
import type { RecordedResource, RecordedStack } from "../../local/recordStack";
import {
  addNote,
  assertCleanSession,
  codeEmailedTo,
  confirmCode,
  launchChromium,
  noteItem,
  noteTexts,
  openSession,
  shuffleMood,
  signIn as signInPage,
  signUp,
  statusAfterAction,
  storedItems,
  waitForNotesOf,
} from "../support/sitePage";

const NOTES = "serverless-notes-dev-Notes";
const MEMBERS = "serverless-notes-dev-hello-member";

/** Each stack's data folder, tables and buckets, removed when the suite ends. */
const dataDirs: string[] = [];
function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "local-stack-"));
  dataDirs.push(dir);
  return dir;
}

function adminClient(local: LocalStack): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: local.dynamodbEndpoint,
    region: local.app.region,
    credentials: local.dynamodbCredentials,
  });
}

async function storedNotes(db: DynamoDBClient, userId: string) {
  const out = await db.send(
    new QueryCommand({
      TableName: NOTES,
      KeyConditionExpression: "UserId = :u",
      ExpressionAttributeValues: { ":u": { S: userId } },
      ScanIndexForward: false,
    }),
  );
  return (out.Items ?? []).map(
    (i) => unmarshall(i) as { NoteId: string; Note: string; Version: number },
  );
}

const DEMO = { email: "demo@example.com", password: "DemoNotes2024" };

/** The demo user signed in to the stack's user pool: its `sub` and ID token. */
async function signIn(local: LocalStack): Promise<{ sub: string; token: string }> {
  const [pool] = local.app.userPools;
  const reply = await cognitoCall(local.cognito!.endpoint, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: pool.clients[0].id,
    AuthParameters: { USERNAME: DEMO.email, PASSWORD: DEMO.password },
  });
  const token = (reply.AuthenticationResult as { IdToken: string }).IdToken;
  const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
  return { sub: claims.sub as string, token };
}

async function call(
  local: LocalStack,
  method: string,
  route: string,
  body?: unknown,
  token?: string,
) {
  const response = await fetch(`${local.apiUrl}${route}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(token ? { Authorization: token } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}

/** The function component's child of a type, for a route's function. */
function childOf(recorded: RecordedStack, route: string, type: string): RecordedResource {
  const found = recorded.resources.find(
    (r) => r.type === type && r.parent === `serverless-notes:function:Function::${route}`,
  );
  assert.ok(found, `${route} has no ${type}`);
  return found;
}

describe("npm start: the dev stack on this machine", function () {
  this.timeout(180_000);
  const stacks: LocalStack[] = [];
  const start = async (options: LocalStackOptions) => {
    const local = await startLocalStack({
      stack: "dev",
      ports: { site: 0, api: 0, dynamodb: 0 },
      demoUser: DEMO,
      ...options,
    });
    stacks.push(local);
    return local;
  };
  afterEach(async () => {
    for (const local of stacks.splice(0)) await local.close();
  });
  after(() => {
    for (const dir of dataDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe("the website, end to end", () => {
    let browser: Browser;
    before(async () => {
      browser = await launchChromium();
    });
    after(async () => {
      await browser?.close();
    });

    it("signs up and in, edits notes, reloads, signs out; another person sees none of them", async () => {
      const requests: string[] = [];
      const cognitoLog: string[] = [];
      const local = await start({
        dataDir: tempDataDir(),
        onRequest: (line) => requests.push(line),
        onCognitoLog: (line) => cognitoLog.push(line),
      });
      assert.match(local.siteUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(local.apiUrl, /^http:\/\/127\.0\.0\.1:\d+\/dev$/);
      const session = await openSession(browser, local.siteUrl);
      const { page } = session;

      // A newcomer signs up; the code the pool would email is in the emulator's log, as npm
      // start prints it.
      const email = `ada-${Date.now().toString(36)}@example.com`;
      const asked = await signUp(page, email, "Correct-Horse-9");
      assert.equal(asked.kind, "info", asked.text);
      const user = await confirmCode(page, codeEmailedTo(cognitoLog, email));
      assert.match(user, /^[0-9a-f-]{36}$/, "the page's user id is the ID token's sub");

      for (const text of ["Buy milk", "Call Jone", "Read chapter 3"]) {
        assert.deepEqual(await addNote(page, text), { kind: "success", text: "Note added." });
      }
      const item = noteItem(page, "Call Jone");
      await item.getByTestId("edit-note").click();
      await item.getByLabel("Edit note").fill("Call Jone about the camp");
      await item.getByTestId("save-note").click();
      assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note saved." });
      await noteItem(page, "Buy milk").getByTestId("delete-note").click();
      assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note deleted." });

      // Still signed in after a reload: the refresh token.
      await page.reload();
      await waitForNotesOf(page, user);
      assert.deepEqual(await noteTexts(page), ["Read chapter 3", "Call Jone about the camp"]);

      // Signing out takes the notes and the tokens off the page.
      await page.getByTestId("sign-out").click();
      assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Signed out." });
      assert.equal(await page.getByTestId("note-item").count(), 0);
      assert.deepEqual(await storedItems(page), {});

      // The demo user, a second person, signs in in the same browser and sees none of them.
      const demo = await signInPage(page, DEMO.email, DEMO.password);
      assert.equal(demo, (await signIn(local)).sub);
      assert.notEqual(demo, user);
      assert.equal(await page.getByTestId("note-item").count(), 0);
      assert.ok(await page.getByTestId("notes-empty").isVisible());

      const { picked, board } = await shuffleMood(page);
      assert.ok(picked, "the shuffle says who got which mood");
      assert.ok(board.includes(`${picked[1]}: ${picked[2]}`), board.join(", "));

      // What the page showed is what the tables hold.
      const db = adminClient(local);
      const stored = await storedNotes(db, user);
      assert.deepEqual(
        stored.map((n) => n.Note),
        ["Read chapter 3", "Call Jone about the camp"],
      );
      assert.equal(stored.find((n) => n.Note === "Call Jone about the camp")?.Version, 2);
      assert.deepEqual(await storedNotes(db, demo), [], "the demo user stored nothing");
      const moods = await db.send(new ScanCommand({ TableName: MEMBERS }));
      const storedBoard = (moods.Items ?? [])
        .map((i) => unmarshall(i) as { name: string; status: string })
        .map((m) => `${m.name}: ${m.status}`)
        .sort();
      assert.deepEqual(board, storedBoard);
      db.destroy();

      assertCleanSession(session, [
        local.siteUrl,
        new URL(local.apiUrl).origin,
        new URL(local.cognito!.endpoint).origin,
      ]);
      await session.context.close();
      // One log line per request: method, path, status, function, duration.
      assert.ok(
        requests.some((l) =>
          /^POST \/dev\/users\/[^ ]+\/notes 201 serverless-notes-dev-createNote \d+ms$/.test(l),
        ),
        requests.join("\n"),
      );
    });
  });

  it("answers an undeclared path with API Gateway's 403 and CORS headers", async () => {
    const local = await start({ dataDir: tempDataDir() });
    for (const route of ["/nothing/here", "/users/u1"]) {
      const reply = await call(local, "GET", route);
      assert.equal(reply.status, 403, route);
      assert.deepEqual(reply.body, { message: "Missing Authentication Token" });
      assert.equal(reply.headers.get("access-control-allow-origin"), "*");
    }
    const me = await signIn(local);
    const wrongMethod = await call(local, "PATCH", `/users/${me.sub}/notes`, undefined, me.token);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.body.error.code, "MethodNotAllowed");
  });

  it("enforces each function's declared policy: a removed grant fails that route only", async () => {
    const logs: string[] = [];
    const local = await start({
      dataDir: tempDataDir(),
      rewrite: (recorded) => {
        // The program without dynamodb:PutItem in createNote's policy.
        const policy = childOf(recorded, "createNote", "aws:iam/rolePolicy:RolePolicy").inputs
          .policy as { Statement: { Action: string | string[] }[] };
        policy.Statement[0].Action = [policy.Statement[0].Action]
          .flat()
          .filter((a) => a !== "dynamodb:PutItem");
        assert.deepEqual(policy.Statement[0].Action, []);
      },
      onFunctionLog: (fn, line) => logs.push(`${fn} ${line.text}`),
    });
    const me = await signIn(local);
    const created = await call(
      local,
      "POST",
      `/users/${me.sub}/notes`,
      { note: "denied" },
      me.token,
    );
    assert.equal(created.status, 500);
    assert.deepEqual(created.body, {
      error: { code: "InternalError", message: "Internal server error" },
    });
    const denial = logs.find(
      (l) => l.startsWith("serverless-notes-dev-createNote") && l.includes("AccessDeniedException"),
    );
    assert.ok(denial, logs.join("\n"));
    assert.match(
      denial,
      /assumed-role\/[^/]+\/serverless-notes-dev-createNote is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:ap-northeast-2:123456789012:table\/serverless-notes-dev-Notes/,
    );

    // Every other route still works, and nothing was written.
    const listed = await call(local, "GET", `/users/${me.sub}/notes`, undefined, me.token);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body.notes, []);
    assert.equal((await call(local, "POST", "/members")).status, 201);
    assert.equal((await call(local, "GET", "/members")).status, 200);
    assert.equal(
      (await call(local, "DELETE", `/users/${me.sub}/notes/n1`, undefined, me.token)).status,
      204,
    );
    const db = adminClient(local);
    assert.deepEqual(await storedNotes(db, me.sub), []);
    db.destroy();
  });

  it("answers 504 when a handler runs past its declared timeout", async () => {
    const local = await start({
      dataDir: tempDataDir(),
      rewrite: (recorded) => {
        const fn = recorded.resources.find(
          (r) => r.type === "aws:lambda/function:Function" && r.name === "getNote",
        );
        assert.ok(fn);
        fn.inputs.timeout = 1;
        const code = fn.inputs.code as {
          $archive: { assets: Record<string, { $asset: { text: string } }> };
        };
        code.$archive.assets["__index.js"].$asset.text =
          "exports.handler = () => new Promise((r) => setTimeout(() => r({ statusCode: 200, body: 'late' }), 3000));";
      },
    });
    const me = await signIn(local);
    const slow = await call(local, "GET", `/users/${me.sub}/notes/n1`, undefined, me.token);
    assert.equal(slow.status, 504);
    assert.deepEqual(slow.body, { message: "Endpoint request timed out" });
    const listed = await call(local, "GET", `/users/${me.sub}/notes`, undefined, me.token);
    assert.equal(listed.status, 200);
  });

  it("keeps the data across a restart, and --fresh starts empty", async () => {
    const dataDir = tempDataDir();
    const first = await start({ dataDir });
    const me = await signIn(first);
    const created = await call(
      first,
      "POST",
      `/users/${me.sub}/notes`,
      { note: "survives" },
      me.token,
    );
    assert.equal(created.status, 201);
    await first.close();
    stacks.splice(stacks.indexOf(first), 1);

    // The user pool is made anew at each start, so the table itself says what was kept.
    const second = await start({ dataDir });
    const secondDb = adminClient(second);
    const kept = await storedNotes(secondDb, me.sub);
    secondDb.destroy();
    assert.deepEqual(
      kept.map((n) => [n.NoteId, n.Note]),
      [[created.body.noteId, "survives"]],
    );
    assert.deepEqual(second.mismatches, []);
    await second.close();
    stacks.splice(stacks.indexOf(second), 1);

    const fresh = await start({ dataDir, fresh: true });
    const freshDb = adminClient(fresh);
    assert.deepEqual(await storedNotes(freshDb, me.sub), []);
    freshDb.destroy();
  });

  it("reports a kept table whose keys no longer match the program, and keeps its data", async () => {
    const dataDir = tempDataDir();
    const first = await start({
      dataDir,
      rewrite: (recorded) => {
        const members = recorded.resources.find(
          (r) => r.type === "aws:dynamodb/table:Table" && r.inputs.name === MEMBERS,
        );
        assert.ok(members);
        members.inputs.hashKey = "friend";
        members.inputs.attributes = [{ name: "friend", type: "S" }];
      },
    });
    await first.close();
    stacks.splice(stacks.indexOf(first), 1);
    const second = await start({ dataDir });
    assert.deepEqual(second.mismatches, [
      { table: MEMBERS, declared: "name:S", existing: "friend:S" },
    ]);
  });
});
