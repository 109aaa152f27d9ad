// The static site in a real headless Chromium, against the application's real route handlers,
// a DynamoDB emulator and a Cognito emulator (cognito-local) whose ID tokens the test API checks
// as the Cognito authorizer does. What the page shows is checked against what DynamoDB holds.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import {
  CreateTableCommand,
  DynamoDBClient,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Browser, Page } from "playwright-core";
import { routes, tables, type TableSpec } from "../../app/routes";
import { cognitoCall, startCognitoEmulator, type CognitoEmulator } from "../../local/cognito";
import { startDynamoEmulator, type DynamoEmulator } from "../../local/dynamodb";
import type { LocalUserPool } from "../../local/model";
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
  signIn,
  signUp,
  statusAfterAction,
  storedItems,
  waitForNotesOf,
  type Session,
} from "../support/sitePage";
import { freePort, startApiServer, startSiteServer, type LocalServer } from "./server";

const SITE_DIR = path.join(__dirname, "..", "..", "site");
const FRIENDS = ["Ama", "Jone", "Zon", "Penny", "Jessie"];
const MOODS = ["Happy", "Sad", "Serious", "Satisfied", "Free"];
const ENV_KEYS = [
  "BUCKET_NAME",
  "AWS_ENDPOINT_URL_DYNAMODB",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "CORS_ORIGIN",
] as const;
const PASSWORD = "CorrectHorse42battery";

// The user pool and website client as infra/userPool.ts declares them (cognito-local enforces
// neither the password policy nor the auth flows: the page checks the policy itself).
const POOL: LocalUserPool = {
  id: "ap-northeast-2_SiteTest1",
  name: "serverless-notes-site-test",
  usernameAttributes: ["email"],
  autoVerifiedAttributes: ["email"],
  passwordPolicy: {
    minimumLength: "12",
    requireLowercase: "true",
    requireUppercase: "true",
    requireNumbers: "true",
    requireSymbols: "false",
  },
  clients: [
    {
      id: "sitetestclient1234567890ab",
      name: "website",
      explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      idTokenValidity: 60,
      accessTokenValidity: 60,
      refreshTokenValidity: 30,
      tokenValidityUnits: { idToken: "minutes", accessToken: "minutes", refreshToken: "days" },
    },
  ],
};
const CLIENT_ID = POOL.clients[0].id;

interface StoredNote {
  UserId: string;
  NoteId: string;
  Note: string;
  Version: number;
}

describe("site (headless Chromium, real handlers, Cognito emulator)", function () {
  this.timeout(120_000);

  let dynamo: DynamoEmulator;
  let db: DynamoDBClient;
  let cognito: CognitoEmulator;
  let api: LocalServer;
  let site: LocalServer;
  let browser: Browser;
  const cognitoLog: string[] = [];
  const savedEnv = new Map<string, string | undefined>();
  const sessions: Session[] = [];
  let unique = 0;
  const newEmail = (name: string) => `${name}-${Date.now().toString(36)}-${++unique}@example.com`;

  before(async () => {
    dynamo = await startDynamoEmulator();
    for (const key of ENV_KEYS) savedEnv.set(key, process.env[key]);
    Object.assign(process.env, {
      // The export route's bucket: the page has no export, so it is never reached.
      BUCKET_NAME: "site-test-notes",
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
    cognito = await startCognitoEmulator({
      pools: [POOL],
      port: await freePort(),
      onLog: (line) => cognitoLog.push(line),
    });
    // The site is on one origin and the API on another, so every call is a real CORS request.
    let apiUrl = "";
    const auth = {
      region: "ap-northeast-2",
      userPoolId: POOL.id,
      clientId: CLIENT_ID,
      endpoint: cognito.endpoint,
    };
    site = await startSiteServer({ siteDir: SITE_DIR, config: () => ({ apiUrl, auth }) });
    process.env.CORS_ORIGIN = site.origin;
    api = await startApiServer({
      routes,
      tableNames: { notes: tables.notes.name, members: tables.members.name },
      stage: "dev",
      // The same check as the local gateway's Cognito authorizer (local/cognito.ts).
      authorize: (authorization) => cognito.verify([POOL.id], authorization),
    });
    apiUrl = api.url;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await api?.close();
    await cognito?.close();
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

  async function open(url = site.url, viewport?: { width: number; height: number }) {
    const session = await openSession(browser, url, viewport);
    sessions.push(session);
    return session;
  }

  function finish(session: Session, expectedStatuses: number[] = []): void {
    assertCleanSession(
      session,
      [site.origin, api.origin, new URL(cognito.endpoint).origin],
      expectedStatuses,
    );
  }

  const emailedCode = (email: string) => codeEmailedTo(cognitoLog, email);

  /** A person who signed up and confirmed through the page, now signed in there. */
  async function signUpInPage(page: Page, email: string): Promise<string> {
    const asked = await signUp(page, email, PASSWORD);
    assert.equal(asked.kind, "info", asked.text);
    assert.match(asked.text, /emailed a code/);
    return confirmCode(page, emailedCode(email));
  }

  /** A confirmed person made by the operator's way (AdminCreateUser), and an ID token of theirs. */
  async function existingPerson(name: string) {
    const email = newEmail(name);
    const sub = await cognito.createUser(POOL.id, email, PASSWORD);
    const reply = await cognitoCall(cognito.endpoint, "InitiateAuth", {
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: CLIENT_ID,
      AuthParameters: { USERNAME: email, PASSWORD },
    });
    const token = (reply.AuthenticationResult as { IdToken: string }).IdToken;
    return { email, sub, token };
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

  /** Calls the API from outside the browser, as another client of the same person would. */
  async function callApi(method: string, route: string, token: string, body?: unknown) {
    const response = await fetch(`${api.url}${route}`, {
      method,
      headers: {
        Authorization: token,
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }

  it("signs up, confirms, signs in; adds, edits and deletes notes; stays signed in; signs out", async () => {
    const session = await open();
    const { page } = session;
    const email = newEmail("alice");
    assert.ok(await page.getByLabel("Email").isVisible(), "a stranger is asked to sign in");
    assert.equal(await page.getByTestId("notes-section").isVisible(), false);
    await page.getByTestId("show-sign-up").click();
    assert.match(
      (await page.getByTestId("password-rule").textContent()) ?? "",
      /12 characters.*upper-case.*lower-case.*digit/,
    );
    const alice = await signUpInPage(page, email);
    assert.match(alice, /^[0-9a-f-]{36}$/, "the user id is the ID token's sub");
    assert.equal(await page.getByTestId("current-user").textContent(), email);
    assert.ok(await page.getByTestId("notes-empty").isVisible(), "an empty list says so");

    for (const text of ["Buy milk", "Call Jone", "Read chapter 3"]) {
      assert.deepEqual(await addNote(page, text), { kind: "success", text: "Note added." });
    }
    assert.deepEqual(await noteTexts(page), ["Read chapter 3", "Call Jone", "Buy milk"]);
    assert.equal(await page.getByLabel("New note").inputValue(), "", "the form is cleared");
    const [before] = (await storedNotes(alice)).filter((n) => n.Note === "Call Jone");
    assert.ok(before, "the note is stored under the sub");

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

    // A reload keeps the person signed in (the refresh token in localStorage) and lists the
    // stored notes, newest first.
    await page.reload();
    await waitForNotesOf(page, alice);
    assert.equal(await page.getByTestId("current-user").textContent(), email);
    assert.deepEqual(await noteTexts(page), ["Read chapter 3", "Call Jone about the camp"]);
    assert.deepEqual(
      await page
        .getByTestId("note-item")
        .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.noteId)),
      stored.map((n) => n.NoteId),
    );
    assert.equal(await page.getByTestId("load-more").isVisible(), false);
    const kept = await storedItems(page);
    assert.deepEqual(Object.keys(kept), ["serverless-notes.session"]);
    assert.ok(JSON.parse(kept["serverless-notes.session"]).refreshToken);
    // Every notes call carried the ID token, as is.
    assert.ok(session.authorizations.length > 0);
    assert.ok(session.authorizations.every((a) => /^[\w-]+\.[\w-]+\.[\w-]+$/.test(a)));

    // Signing out forgets the tokens and takes the notes off the page.
    await page.getByTestId("sign-out").click();
    await page.waitForSelector('[data-testid="status"][data-kind="success"]');
    assert.equal(await page.getByTestId("status").textContent(), "Signed out.");
    assert.equal(await page.getByTestId("note-item").count(), 0);
    assert.equal(await page.getByTestId("notes-section").isVisible(), false);
    assert.deepEqual(await storedItems(page), {}, "no tokens left in localStorage");
    await page.reload();
    await page.getByLabel("Email").waitFor();
    assert.equal(await page.getByTestId("notes-section").isVisible(), false, "still signed out");

    // Another person signs up in the same browser and sees none of Alice's notes.
    const bobEmail = newEmail("bob");
    const bob = await signUpInPage(page, bobEmail);
    assert.notEqual(bob, alice);
    assert.equal(await page.getByTestId("current-user").textContent(), bobEmail);
    assert.equal(await page.getByTestId("note-item").count(), 0);
    assert.ok(await page.getByTestId("notes-empty").isVisible());
    assert.deepEqual(await storedNotes(bob), []);
    // Nor can Bob's token read them through the API: the handler answers 403.
    const bobToken = await page.evaluate(
      () => JSON.parse(localStorage.getItem("serverless-notes.session") ?? "{}").idToken as string,
    );
    const peek = await callApi("GET", `/users/${alice}/notes`, bobToken);
    assert.equal(peek.status, 403);
    assert.equal((await storedNotes(alice)).length, 2);
    finish(session);
  });

  it("says why a sign-in failed, in the page's own words", async () => {
    const session = await open();
    const { page } = session;
    const known = await existingPerson("dora");
    const wrong = "incorrect email or password";

    await page.getByLabel("Email").fill(known.email);
    await page.getByLabel("Password").fill("WrongPassword99");
    await page.getByTestId("auth-submit").click();
    const wrongPassword = await statusAfterAction(page);
    assert.equal(wrongPassword.kind, "error");
    assert.equal(wrongPassword.text.toLowerCase(), `${wrong}.`);
    assert.equal(await page.getByTestId("notes-section").isVisible(), false);

    // An unknown address gets the very same answer (the pool prevents user existence errors).
    await page.getByLabel("Email").fill(newEmail("nobody"));
    await page.getByTestId("auth-submit").click();
    assert.deepEqual(await statusAfterAction(page), wrongPassword);

    // A password the pool's policy would refuse is refused before anything is sent.
    const before = session.requests.length;
    await page.getByTestId("show-sign-up").click();
    await page.getByLabel("Email").fill(newEmail("erin"));
    await page.getByLabel("Password").fill("short1A");
    await page.getByTestId("auth-submit").click();
    const weak = await statusAfterAction(page);
    assert.equal(weak.kind, "error");
    assert.match(weak.text, /at least 12 characters/);
    assert.equal(session.requests.length, before, "no call for a password the policy refuses");

    // Signed up but not confirmed: signing in offers to enter the code, which then works.
    const fred = newEmail("fred");
    await page.getByLabel("Email").fill(fred);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByTestId("auth-submit").click();
    assert.equal((await statusAfterAction(page)).kind, "info");
    await page.getByTestId("show-sign-in").click();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByTestId("auth-submit").click();
    const unconfirmed = await statusAfterAction(page);
    assert.equal(unconfirmed.kind, "error");
    assert.match(unconfirmed.text, /not confirmed yet/);
    assert.ok(await page.getByLabel("Confirmation code").isVisible(), "the code box is offered");

    // A wrong code says so; the right one signs in.
    await page.getByLabel("Confirmation code").fill("000000");
    await page.getByTestId("auth-submit").click();
    const mismatch = await statusAfterAction(page);
    assert.equal(mismatch.kind, "error");
    assert.match(mismatch.text, /code is not right/);
    assert.match(await confirmCode(page, emailedCode(fred)), /^[0-9a-f-]{36}$/);
    finish(session, [400]);
  });

  it("says the sign-in service cannot be reached when the network fails", async () => {
    const session = await open();
    const { page } = session;
    await page.route(`${cognito.endpoint}**`, (route) => route.abort("internetdisconnected"));
    await page.getByLabel("Email").fill(newEmail("gina"));
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByTestId("auth-submit").click();
    const status = await statusAfterAction(page);
    assert.equal(status.kind, "error");
    assert.match(status.text, /could not reach the sign-in service/i);
    assert.deepEqual(
      session.consoleErrors.filter((e) => !e.includes("ERR_INTERNET_DISCONNECTED")),
      [],
    );
  });

  it("gets a new ID token once when the API refuses the stored one, then retries", async () => {
    const person = await existingPerson("hana");
    const session = await open();
    const { page } = session;
    await signIn(page, person.email, PASSWORD);
    assert.equal((await addNote(page, "still here")).kind, "success");
    // The stored ID token no longer verifies (as after a key change); the refresh token is good.
    await page.evaluate(() => {
      const stored = JSON.parse(localStorage.getItem("serverless-notes.session") ?? "{}");
      stored.idToken = stored.idToken.replace(/.{8}$/, "AAAAAAAA");
      localStorage.setItem("serverless-notes.session", JSON.stringify(stored));
    });
    const refreshesBefore = session.cognitoTargets.filter((t) => t === "InitiateAuth").length;
    await page.reload();
    await waitForNotesOf(page, person.sub);
    assert.deepEqual(await noteTexts(page), ["still here"]);
    assert.equal(
      session.cognitoTargets.filter((t) => t === "InitiateAuth").length,
      refreshesBefore + 1,
      "one refresh",
    );
    const renewed = JSON.parse((await storedItems(page))["serverless-notes.session"]);
    assert.equal((await callApi("GET", `/users/${person.sub}/notes`, renewed.idToken)).status, 200);
    finish(session, [401]);
  });

  it("shows user text as text, never as markup", async () => {
    const person = await existingPerson("mallory");
    const session = await open();
    const { page } = session;
    await signIn(page, person.email, PASSWORD);
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

  it("refuses an empty note in the page, without calling the API", async () => {
    const person = await existingPerson("ivan");
    const session = await open();
    const { page } = session;
    await signIn(page, person.email, PASSWORD);
    const apiCalls = () => session.requests.filter((url) => url.startsWith(api.origin)).length;
    const before = apiCalls();
    const empty = await addNote(page, "   \n ");
    assert.equal(empty.kind, "error");
    assert.match(empty.text, /cannot be empty/);
    assert.equal(apiCalls(), before, "no call for an empty note");

    assert.equal((await addNote(page, "keep me")).kind, "success");
    const calls = apiCalls();
    const item = noteItem(page, "keep me");
    await item.getByTestId("edit-note").click();
    await item.getByLabel("Edit note").fill("");
    await item.getByTestId("save-note").click();
    assert.equal((await statusAfterAction(page)).kind, "error");
    assert.match((await page.getByTestId("status").textContent()) ?? "", /cannot be empty/);
    assert.equal(apiCalls(), calls, "no call for an emptied note");
    assert.equal(await item.getByLabel("Edit note").isVisible(), true, "the editor stays open");
    assert.deepEqual(
      (await storedNotes(person.sub)).map((n) => n.Note),
      ["keep me"],
    );
    finish(session);
  });

  it("shows the API's message for a note over 10,000 characters and stores nothing", async () => {
    const person = await existingPerson("carol");
    const session = await open();
    const { page } = session;
    await signIn(page, person.email, PASSWORD);
    const tooLong = "x".repeat(10_001);
    const expected = await callApi("POST", `/users/${person.sub}/notes`, person.token, {
      note: tooLong,
    });
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
    assert.deepEqual(await storedNotes(person.sub), []);
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
    const dave = await existingPerson("dave");
    for (let i = 1; i <= 23; i++) {
      const created = await callApi("POST", `/users/${dave.sub}/notes`, dave.token, {
        note: `note ${i}`,
      });
      assert.equal(created.status, 201);
    }
    const session = await open();
    const { page } = session;
    await signIn(page, dave.email, PASSWORD);
    assert.equal(await page.getByTestId("note-item").count(), 20);
    assert.ok(await page.getByTestId("load-more").isVisible());

    await page.getByTestId("load-more").click();
    await page.waitForSelector('[data-testid="load-more"]', { state: "hidden" });
    const shown = await page
      .getByTestId("note-item")
      .evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.noteId));
    assert.deepEqual(
      shown,
      (await storedNotes(dave.sub)).map((n) => n.NoteId),
    );
    finish(session);
  });

  it("keeps the typed text when an edit meets a newer version, and reapplies it on request", async () => {
    const erin = await existingPerson("erin");
    const session = await open();
    const { page } = session;
    await signIn(page, erin.email, PASSWORD);
    assert.equal((await addNote(page, "Pack for the trip")).kind, "success");
    await noteItem(page, "Pack for the trip").getByTestId("edit-note").click();

    // Meanwhile another client of Erin's changes the note.
    const [stored] = await storedNotes(erin.sub);
    const other = await callApi("PUT", `/users/${erin.sub}/notes/${stored.NoteId}`, erin.token, {
      note: "Pack for the trip: tent, boots",
      version: Number(stored.Version),
    });
    assert.equal(other.status, 200);

    const mine = "Pack for the trip: sunscreen";
    await page.getByLabel("Edit note").fill(mine);
    await page.getByTestId("save-note").click();
    const status = await statusAfterAction(page);
    assert.equal(status.kind, "error");
    assert.match(status.text, /changed elsewhere\. Your text is kept/);
    assert.equal(await page.getByLabel("Edit note").inputValue(), mine, "nothing typed is lost");
    assert.equal(
      await page.getByTestId("latest-text").textContent(),
      "Pack for the trip: tent, boots",
      "the latest version is shown beside it",
    );
    const [untouched] = await storedNotes(erin.sub);
    assert.equal(
      untouched.Note,
      "Pack for the trip: tent, boots",
      "the stale edit changed nothing",
    );
    assert.equal(Number(untouched.Version), Number(other.body.version));

    await page.getByTestId("reapply-note").click();
    assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note saved." });
    assert.deepEqual(await noteTexts(page), [mine]);
    const [reapplied] = await storedNotes(erin.sub);
    assert.equal(reapplied.Note, mine);
    assert.ok(Number(reapplied.Version) > Number(untouched.Version));
    finish(session, [409]);
  });

  it("deletes at once, with an Undo in a banner that stays on screen", async () => {
    const kim = await existingPerson("kim");
    for (let i = 1; i <= 15; i++) {
      await callApi("POST", `/users/${kim.sub}/notes`, kim.token, { note: `note ${i}` });
    }
    const session = await open(site.url, { width: 390, height: 700 });
    const { page } = session;
    await signIn(page, kim.email, PASSWORD);
    // The oldest note of a long list, far below the top of the page.
    const last = noteItem(page, "note 1");
    await last.getByTestId("delete-note").click();
    assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note deleted." });
    assert.equal(await noteItem(page, "note 1").count(), 0);
    assert.equal((await storedNotes(kim.sub)).length, 14);
    const undo = page.getByTestId("status-action");
    assert.equal(await undo.textContent(), "Undo");
    const box = await undo.boundingBox();
    assert.ok(box && box.y >= 0 && box.y + box.height <= 700, `Undo is on screen: ${box?.y}`);

    await undo.click();
    assert.deepEqual(await statusAfterAction(page), { kind: "success", text: "Note restored." });
    assert.equal(await noteItem(page, "note 1").count(), 1);
    const stored = await storedNotes(kim.sub);
    assert.equal(stored.length, 15);
    assert.equal(stored[0].Note, "note 1", "re-created as the newest note");
    finish(session);
  });

  it("fits a 390 px phone screen, long email address and long words included", async () => {
    const longEmail = `${"averylongmailboxname".repeat(3)}${++unique}@example.com`;
    const sub = await cognito.createUser(POOL.id, longEmail, PASSWORD);
    const session = await open(site.url, { width: 390, height: 844 });
    const { page } = session;
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok((await fits()) <= 390, `signed out: ${await fits()} px wide`);
    assert.equal(await signIn(page, longEmail, PASSWORD), sub);
    assert.equal(await page.getByTestId("current-user").textContent(), longEmail);
    assert.equal((await addNote(page, "x".repeat(300))).kind, "success");
    assert.equal((await addNote(page, "Buy milk, eggs and bread")).kind, "success");
    await shuffleMood(page);
    assert.ok((await fits()) <= 390, `signed in: ${await fits()} px wide`);
    if (process.env.SITE_SCREENSHOT) {
      await page.screenshot({ path: process.env.SITE_SCREENSHOT, fullPage: true });
    }
    finish(session);
  });

  it("explains a missing config.js instead of calling anything", async () => {
    const unconfigured = await startSiteServer({ siteDir: SITE_DIR, config: () => null });
    try {
      const session = await open(unconfigured.url);
      const { page } = session;
      await page.waitForSelector('[data-testid="status"][data-kind="error"]');
      assert.match((await page.getByTestId("status").textContent()) ?? "", /not configured/i);
      assert.ok(await page.getByTestId("auth-submit").isDisabled());
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
