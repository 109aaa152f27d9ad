// The static site in a real headless Chromium, against the application's real route handlers
// and a DynamoDB emulator. What the page shows is checked against what DynamoDB holds.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import {
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Browser } from "playwright-core";
import { routes, tables, type TableSpec } from "../../app/routes";
import { startDynamoEmulator, type DynamoEmulator } from "../../local/dynamodb";
import {
  addNote,
  assertCleanSession,
  chooseUser,
  launchChromium,
  noteItem,
  noteTexts,
  openSession,
  shuffleMood,
  statusAfterAction,
  waitForNotesOf,
  type Session,
} from "../support/sitePage";
import { startApiServer, startSiteServer, type LocalServer } from "./server";

const SITE_DIR = path.join(__dirname, "..", "..", "site");
const FRIENDS = ["Ama", "Jone", "Zon", "Penny", "Jessie"];
const MOODS = ["Happy", "Sad", "Serious", "Satisfied", "Free"];
const ENV_KEYS = [
  "AWS_ENDPOINT_URL_DYNAMODB",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "CORS_ORIGIN",
] as const;

interface StoredNote {
  UserId: string;
  NoteId: string;
  Note: string;
  Version: number;
}

describe("site (headless Chromium, real handlers)", function () {
  this.timeout(120_000);

  let dynamo: DynamoEmulator;
  let db: DynamoDBClient;
  let api: LocalServer;
  let site: LocalServer;
  let browser: Browser;
  const savedEnv = new Map<string, string | undefined>();
  const sessions: Session[] = [];
  let unique = 0;
  const newUserId = (name: string) => `${name}-${Date.now().toString(36)}-${++unique}`;

  before(async () => {
    dynamo = await startDynamoEmulator();
    for (const key of ENV_KEYS) savedEnv.set(key, process.env[key]);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_REGION: "ap-northeast-2",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    });
    db = new DynamoDBClient({ endpoint: dynamo.endpoint });
    const specs: TableSpec[] = Object.values(tables);
    for (const table of specs) {
      const keys = [table.partitionKey, ...(table.sortKey ? [table.sortKey] : [])];
      await db.send(
        new CreateTableCommand({
          TableName: table.name,
          BillingMode: "PAY_PER_REQUEST",
          KeySchema: keys.map((k, i) => ({
            AttributeName: k.name,
            KeyType: i === 0 ? "HASH" : "RANGE",
          })),
          AttributeDefinitions: keys.map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        }),
      );
    }
    // The site is on one origin and the API on another, so every call is a real CORS request.
    let apiUrl = "";
    // The page does not sign in yet (issue 9, site step): the test API server passes the path's
    // owner as the caller, so no Cognito endpoint is ever called.
    const auth = { region: "ap-northeast-2", userPoolId: "local", clientId: "local", endpoint: "" };
    site = await startSiteServer({ siteDir: SITE_DIR, config: () => ({ apiUrl, auth }) });
    process.env.CORS_ORIGIN = site.origin;
    api = await startApiServer({
      routes,
      tableNames: { notes: tables.notes.name, members: tables.members.name },
      stage: "dev",
    });
    apiUrl = api.url;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await api?.close();
    db?.destroy();
    await dynamo?.close();
    for (const [key, value] of savedEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  afterEach(async () => {
    for (const session of sessions.splice(0)) await session.context.close();
  });

  async function open(url = site.url): Promise<Session> {
    const session = await openSession(browser, url);
    sessions.push(session);
    return session;
  }

  function finish(session: Session, expectedStatuses: number[] = []): void {
    assertCleanSession(session, [site.origin, api.origin], expectedStatuses);
  }

  async function storedNotes(userId: string): Promise<StoredNote[]> {
    const out = await db.send(
      new QueryCommand({
        TableName: tables.notes.name,
        KeyConditionExpression: "#pk = :u",
        ExpressionAttributeNames: { "#pk": tables.notes.partitionKey.name },
        ExpressionAttributeValues: { ":u": { S: userId } },
        ScanIndexForward: false,
        ConsistentRead: true,
      }),
    );
    return (out.Items ?? []).map((item) => unmarshall(item) as StoredNote);
  }

  async function storedMoods(): Promise<string[]> {
    const out = await db.send(new ScanCommand({ TableName: tables.members.name }));
    return (out.Items ?? [])
      .map((item) => unmarshall(item) as { name: string; status: string })
      .map((m) => `${m.name}: ${m.status}`)
      .sort();
  }

  /** Calls the API from outside the browser, as another client would. */
  async function callApi(method: string, route: string, body?: unknown) {
    const response = await fetch(`${api.url}${route}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  it("adds, edits and deletes a user's notes, and a reload shows exactly what DynamoDB holds", async () => {
    const session = await open();
    const { page } = session;
    const alice = newUserId("alice");
    await chooseUser(page, alice);
    assert.equal(await page.getByTestId("current-user").textContent(), alice);
    assert.ok(await page.getByTestId("notes-empty").isVisible(), "an empty list says so");

    for (const text of ["Buy milk", "Call Jone", "Read chapter 3"]) {
      assert.deepEqual(await addNote(page, text), { kind: "success", text: "Note added." });
    }
    assert.deepEqual(await noteTexts(page), ["Read chapter 3", "Call Jone", "Buy milk"]);
    assert.equal(await page.getByLabel("New note").inputValue(), "", "the form is cleared");
    const [before] = (await storedNotes(alice)).filter((n) => n.Note === "Call Jone");
    assert.ok(before, "the note is stored");

    const item = noteItem(page, "Call Jone");
    await item.getByTestId("edit-note").click();
    const editor = item.getByLabel("Edit note");
    assert.equal(await editor.inputValue(), "Call Jone");
    await editor.fill("Call Jone about the camp");
    await item.getByTestId("save-note").click();
    assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note saved." });
    assert.deepEqual(await noteTexts(page), [
      "Read chapter 3",
      "Call Jone about the camp",
      "Buy milk",
    ]);
    const edited = (await storedNotes(alice)).find((n) => n.NoteId === before.NoteId);
    assert.equal(edited?.Note, "Call Jone about the camp");
    assert.ok(Number(edited?.Version) > Number(before.Version), "the version moved on");

    await noteItem(page, "Buy milk").getByTestId("delete-note").click();
    assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note deleted." });
    assert.deepEqual(await noteTexts(page), ["Read chapter 3", "Call Jone about the camp"]);

    const stored = await storedNotes(alice);
    assert.deepEqual(
      stored.map((n) => n.Note),
      ["Read chapter 3", "Call Jone about the camp"],
      "DynamoDB holds exactly the two notes, newest NoteId first",
    );

    // A reload remembers the user and lists the stored notes, newest first.
    await page.reload();
    await waitForNotesOf(page, alice);
    assert.equal(await page.getByLabel("User id").inputValue(), alice);
    assert.deepEqual(await noteTexts(page), ["Read chapter 3", "Call Jone about the camp"]);
    assert.deepEqual(
      await page
        .getByTestId("note-item")
        .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.noteId)),
      stored.map((n) => n.NoteId),
    );
    assert.equal(await page.getByTestId("load-more").isVisible(), false);

    // Another user sees none of them.
    const bob = newUserId("bob");
    await chooseUser(page, bob);
    assert.equal(await page.getByTestId("note-item").count(), 0);
    assert.ok(await page.getByTestId("notes-empty").isVisible());
    assert.deepEqual(await storedNotes(bob), []);
    assert.equal(
      await page.evaluate(() => localStorage.getItem("serverless-notes.userId")),
      bob,
      "the last chosen user is remembered",
    );
    finish(session);
  });

  it("shows user text as text, never as markup", async () => {
    const session = await open();
    const { page } = session;
    await chooseUser(page, newUserId("mallory"));
    const text = `<img src="x" onerror="document.title='owned'"> <b>not bold</b>`;
    assert.equal((await addNote(page, text)).kind, "success");
    assert.deepEqual(await noteTexts(page), [text]);
    assert.equal(
      await page.locator('[data-testid="notes-list"] img, [data-testid="notes-list"] b').count(),
      0,
    );
    assert.equal(await page.title(), "Serverless Notes");
    finish(session);
  });

  it("rejects a malformed user id in the page, without calling the API", async () => {
    const session = await open();
    const { page } = session;
    await page.getByLabel("User id").fill("not a valid id!");
    await page.getByTestId("user-submit").click();
    const status = page.getByTestId("status");
    await page.waitForSelector('[data-testid="status"][data-kind="error"]');
    assert.match((await status.textContent()) ?? "", /user id/i);
    assert.equal(await page.getByLabel("User id").getAttribute("aria-invalid"), "true");
    assert.equal(await page.getByTestId("notes-section").isVisible(), false);
    assert.deepEqual(
      session.requests.filter((url) => url.startsWith(api.origin)),
      [],
      "no API call for an invalid id",
    );
    finish(session);
  });

  it("shows the API's message for a note over 10,000 characters and stores nothing", async () => {
    const session = await open();
    const { page } = session;
    const carol = newUserId("carol");
    await chooseUser(page, carol);
    const tooLong = "x".repeat(10_001);
    const expected = await callApi("POST", `/users/${newUserId("probe")}/notes`, { note: tooLong });
    assert.equal(expected.status, 400);
    const message: string = expected.body.error.message;
    assert.ok(message, "the API explains the error");

    assert.deepEqual(await addNote(page, tooLong), { kind: "error", text: message });
    assert.equal(await page.getByTestId("note-item").count(), 0);
    assert.equal(
      (await page.getByLabel("New note").inputValue()).length,
      10_001,
      "the text is kept so it can be shortened",
    );
    assert.deepEqual(await storedNotes(carol), []);
    finish(session, [400]);
  });

  it("shuffles a mood and shows the board that the hello-member table holds", async () => {
    const session = await open();
    const { page } = session;
    for (let round = 1; round <= 3; round++) {
      const { result, picked, board } = await shuffleMood(page);
      assert.ok(picked, `the shuffle says who got which mood: ${result}`);
      assert.ok(FRIENDS.includes(picked[1]) && MOODS.includes(picked[2]), result);

      assert.deepEqual(board, await storedMoods(), "the board is the table");
      assert.ok(board.includes(`${picked[1]}: ${picked[2]}`));
      assert.ok(board.length >= 1 && board.length <= 5);
    }
    finish(session);
  });

  it("pages through a long list with Load more, newest first", async () => {
    const dave = newUserId("dave");
    for (let i = 1; i <= 23; i++) {
      assert.equal(
        (await callApi("POST", `/users/${dave}/notes`, { note: `note ${i}` })).status,
        201,
      );
    }
    const session = await open();
    const { page } = session;
    await chooseUser(page, dave);
    assert.equal(await page.getByTestId("note-item").count(), 20);
    assert.ok(await page.getByTestId("load-more").isVisible());

    await page.getByTestId("load-more").click();
    await page.waitForSelector('[data-testid="load-more"]', { state: "hidden" });
    const shown = await page
      .getByTestId("note-item")
      .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.noteId));
    assert.deepEqual(
      shown,
      (await storedNotes(dave)).map((n) => n.NoteId),
    );
    finish(session);
  });

  it("says the note changed elsewhere and reloads when an edit carries a stale version", async () => {
    const session = await open();
    const { page } = session;
    const erin = newUserId("erin");
    await chooseUser(page, erin);
    assert.equal((await addNote(page, "Pack for the trip")).kind, "success");
    await noteItem(page, "Pack for the trip").getByTestId("edit-note").click();

    // Meanwhile another client changes the note.
    const [stored] = await storedNotes(erin);
    const other = await callApi("PUT", `/users/${erin}/notes/${stored.NoteId}`, {
      note: "Pack for the trip: tent, boots",
      version: Number(stored.Version),
    });
    assert.equal(other.status, 200);

    await page.getByLabel("Edit note").fill("Pack for the trip: sunscreen");
    await page.getByTestId("save-note").click();
    const status = await statusAfterAction(page);
    assert.equal(status.kind, "error");
    assert.match(status.text, /this note was changed elsewhere, reloaded/i);
    await page.waitForSelector(
      '[data-testid="note-text"]:text-is("Pack for the trip: tent, boots")',
    );
    assert.deepEqual(await noteTexts(page), ["Pack for the trip: tent, boots"]);
    const [after] = await storedNotes(erin);
    assert.equal(after.Note, "Pack for the trip: tent, boots", "the stale edit changed nothing");
    assert.equal(Number(after.Version), Number(other.body.version));
    finish(session, [409]);
  });

  it("explains a missing config.js instead of calling anything", async () => {
    const unconfigured = await startSiteServer({ siteDir: SITE_DIR, config: () => null });
    try {
      const session = await open(unconfigured.url);
      const { page } = session;
      await page.waitForSelector('[data-testid="status"][data-kind="error"]');
      assert.match((await page.getByTestId("status").textContent()) ?? "", /not configured/i);
      assert.ok(await page.getByTestId("user-submit").isDisabled());
      assert.ok(await page.getByTestId("shuffle-mood").isDisabled());
      assert.ok(session.requests.every((url) => url.startsWith(`${unconfigured.origin}/`)));
      assert.deepEqual(session.consoleErrors, []);
    } finally {
      await unconfigured.close();
    }
  });

  it("serves a friendly error page that links back to the notes", async () => {
    const session = await open(`${site.url}/no/such/page`);
    const { page } = session;
    assert.ok(await page.getByTestId("not-found").isVisible());
    await page.getByTestId("home-link").click();
    await page.waitForURL(`${site.url}/index.html`);
    assert.ok(await page.getByTestId("shuffle-mood").isVisible());
    finish(session, [404]);
  });
});
