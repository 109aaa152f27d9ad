// The bundled Lambda code runs: every function's archive exactly as the program declares it,
// extracted alone into a task root and run by the Lambda runtime emulator (AWS SDK v3 provided,
// nothing else), with the recorded environment, timeout and memory, against the DynamoDB
// emulator holding the recorded tables. Any module the serialiser failed to inline fails here.
import assert from "node:assert/strict";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { putAll } from "../../app/batchWrite";
import { exportSteps, importSteps, routes } from "../../app/routes";
import { startDynamoEmulator } from "../../local/dynamodb";
import { assetMap } from "../../local/lambdaArchive";
import type { DynamoEmulator } from "../../local/dynamodb";
import type { InvokeOutcome } from "../../local/lambdaRuntime";
import { STACKS, stackGraph } from "../harness/graph";
import type { StackGraph } from "../harness/graph";
import {
  createDeclaredTables,
  functionOf,
  sdkEntries,
  startBundled,
  variablesOf,
} from "../support/bundled";
import type { Bundled } from "../support/bundled";
import { proxyEvent } from "../support/events";
import type { EventSpec } from "../support/events";
import { errorOf } from "../support/invoke";
import type { Reply } from "../support/invoke";
import { queryNotes, tableContents } from "../support/tables";
import type { Item } from "../support/tables";
import type { Note, NotesPage } from "../../app/notes";

const NOTES = "/users/{userId}/notes";
const NOTE = "/users/{userId}/notes/{noteId}";
const EXPORT = "/users/{userId}/notes/export";
const MEMBERS = "/members";
const NAMES = ["Ama", "Jone", "Zon", "Penny", "Jessie"];
const STATUSES = ["Happy", "Sad", "Serious", "Satisfied", "Free"];
const NOTE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const JSON_HEADERS = { "Content-Type": "application/json" };

/** The JSON a Lambda proxy integration hands back, as a reply; every one must carry CORS. */
function replyOf(outcome: InvokeOutcome, corsOrigin: string, what: string): Reply {
  if (!("result" in outcome)) assert.fail(`${what}: no result: ${JSON.stringify(outcome)}`);
  const result = outcome.result as APIGatewayProxyResult;
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  assert.equal(headers["Access-Control-Allow-Origin"], corsOrigin, `${what}: CORS origin`);
  if (corsOrigin !== "*") assert.equal(headers.Vary, "Origin", `${what}: Vary`);
  if (result.statusCode !== 204) assert.equal(headers["Content-Type"], "application/json");
  return {
    status: result.statusCode,
    headers,
    body: result.body === "" ? undefined : JSON.parse(result.body),
    rawBody: result.body,
  };
}

for (const stack of STACKS) {
  describe(`the bundled Lambda code runs (${stack})`, function () {
    let graph: StackGraph;
    let dynamo: DynamoEmulator;
    let client: DynamoDBClient;
    let awsEnvironment: Record<string, string>;
    const deployed = new Map<string, Bundled>();
    const extra: Bundled[] = [];
    let users = 0;
    const newUser = () => `user-${++users}`;

    before(async function () {
      this.timeout(120_000);
      graph = await stackGraph(stack);
      dynamo = await startDynamoEmulator();
      const region = graph.config("aws:region");
      awsEnvironment = {
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_REGION: region,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
      };
      client = new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      await createDeclaredTables(client, graph);
      for (const route of routes) {
        deployed.set(route.name, startBundled(functionOf(graph, route.name), awsEnvironment));
      }
    });

    after(async () => {
      await Promise.all([...deployed.values(), ...extra].map((d) => d.close()));
      client?.destroy();
      await dynamo?.close();
    });

    function route(name: string): Bundled {
      const found = deployed.get(name);
      if (!found) throw new Error(`no function for route ${name}`);
      return found;
    }

    async function call(
      name: string,
      spec: EventSpec,
      patch: Partial<APIGatewayProxyEvent> = {},
    ): Promise<Reply> {
      const { fn, variables } = route(name);
      const outcome = await fn.invoke({ ...proxyEvent(spec), ...patch });
      return replyOf(outcome, variables.CORS_ORIGIN, `${stack} ${name}`);
    }

    const tableName = (key: "Notes" | "hello-member") => `serverless-notes-${stack}-${key}`;
    const snapshot = async (): Promise<Item[][]> =>
      Promise.all([
        tableContents(client, tableName("Notes")),
        tableContents(client, tableName("hello-member")),
      ]);

    async function createNote(userId: string, note: string): Promise<Note> {
      const reply = await call("createNote", {
        method: "POST",
        resource: NOTES,
        pathParameters: { userId },
        body: { note },
      });
      assert.equal(reply.status, 201, reply.rawBody);
      return reply.body as Note;
    }

    it("gives every route a function whose archive is __index.js and the DynamoDB SDK it requires", () => {
      // Besides the routes' functions, only the workflows' steps (tests/bundle/*Workflow.test.ts).
      const tasks = [...Object.values(importSteps), ...Object.values(exportSteps)].map(
        (s) => s.name,
      );
      assert.deepEqual(
        graph
          .resources("aws:lambda/function:Function")
          .map((f) => f.inputs.name)
          .sort(),
        [...routes.map((r) => r.name), ...tasks]
          .map((n) => `serverless-notes-${stack}-${n}`)
          .sort(),
      );
      for (const route of routes) {
        const { inputs } = functionOf(graph, route.name);
        const assets = assetMap(inputs.code);
        // The SDK's lazily loaded chunks beside its entry (infra/sdkBuild.ts).
        const chunk = /^node_modules\/\.aws-sdk\/(?!index\.js$)[\w-]+\.js$/;
        assert.ok(
          Object.keys(assets).some((name) => chunk.test(name)),
          route.name,
        );
        assert.deepEqual(
          Object.keys(assets)
            .filter((name) => !chunk.test(name))
            .sort(),
          [
            "__index.js",
            ...sdkEntries("@aws-sdk/client-dynamodb"),
            // The export route writes large exports to the bucket and presigns their URLs.
            ...(route.objects?.length ? sdkEntries("@aws-sdk/client-s3") : []),
            ...sdkEntries("@aws-sdk/util-dynamodb"),
            "node_modules/.aws-sdk/index.js",
            "node_modules/.aws-sdk/package.json",
          ].sort(),
          `${route.name}: archive entries`,
        );
        const index = assets["__index.js"] as { $asset: { text?: unknown } };
        assert.equal(typeof index.$asset.text, "string", `${route.name}: __index.js is inline`);
        assert.equal(inputs.handler, "__index.handler");
        const variables = variablesOf(functionOf(graph, route.name));
        assert.equal(
          variables.TABLE_NAME,
          tableName(route.table === "notes" ? "Notes" : "hello-member"),
        );
        assert.ok(variables.CORS_ORIGIN, `${route.name}: CORS_ORIGIN`);
        // The notes bucket's name, exactly where the route has objects in it (the export).
        assert.equal(
          variables.BUCKET_NAME,
          route.objects ? graph.outputs.notesBucketName : undefined,
          route.name,
        );
      }
    });

    it("creates a note (201) and reads it back (200)", async () => {
      const userId = newUser();
      const before = Date.now();
      const created = await createNote(userId, "Buy milk");
      assert.equal(created.userId, userId);
      assert.match(created.noteId, NOTE_ID);
      assert.equal(created.note, "Buy milk");
      assert.equal(created.version, 1);
      assert.match(created.createdAt, ISO_8601);
      assert.equal(created.updatedAt, created.createdAt);
      assert.ok(Date.parse(created.createdAt) >= before - 1000);

      const got = await call("getNote", {
        method: "GET",
        resource: NOTE,
        pathParameters: { userId, noteId: created.noteId },
      });
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, created);
    });

    it("accepts a note of exactly 10,000 characters, counted as code points", async () => {
      const created = await createNote(newUser(), "😀".repeat(10_000));
      assert.equal(Array.from(created.note).length, 10_000);
    });

    it("lists 25 notes 10 at a time, newest first, with a cursor to the next page", async () => {
      const userId = newUser();
      const created: Note[] = [];
      for (let i = 0; i < 25; i++) created.push(await createNote(userId, `note ${i}`));
      const pages: NotesPage[] = [];
      let cursor: string | null | undefined;
      do {
        const reply = await call("listNotes", {
          method: "GET",
          resource: NOTES,
          pathParameters: { userId },
          query: cursor ? { limit: "10", cursor } : { limit: "10" },
        });
        assert.equal(reply.status, 200, reply.rawBody);
        const page = reply.body as NotesPage;
        pages.push(page);
        cursor = page.nextCursor;
      } while (cursor && pages.length < 5);
      assert.deepEqual(
        pages.map((p) => p.notes.length),
        [10, 10, 5],
      );
      assert.equal(typeof pages[0].nextCursor, "string");
      assert.equal(typeof pages[1].nextCursor, "string");
      assert.equal(pages[2].nextCursor, null);
      const listed = pages.flatMap((p) => p.notes);
      assert.deepEqual(listed, [...created].reverse());
    });

    it("exports every note of a user, every page of the Query, exactly as stored", async () => {
      const userId = newUser();
      const notes = tableName("Notes");
      // 120 notes of 10,000 characters: 1.2 MB, more than one 1 MB Query page.
      const items = Array.from({ length: 120 }, (_, i) => ({
        UserId: userId,
        NoteId: `n${String(i).padStart(3, "0")}`,
        Note: `${i} ${"x".repeat(9_990)}`,
        CreatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
        UpdatedAt: new Date(Date.UTC(2026, 0, 2, 0, 0, i)).toISOString(),
        Version: 1 + (i % 3),
      }));
      await putAll(
        client,
        notes,
        items.map((item) => marshall(item)),
      );
      await createNote(newUser(), "someone else's note");

      const { notes: direct, pages } = await queryNotes(client, notes, userId);
      assert.ok(pages > 1, `the notes take ${pages} Query page(s)`);
      assert.equal(direct.length, 120);

      const reply = await call("exportNotes", {
        method: "GET",
        resource: EXPORT,
        pathParameters: { userId },
      });
      assert.equal(reply.status, 200, reply.rawBody.slice(0, 200));
      assert.deepEqual(reply.body, { userId, notes: direct });
    });

    it("answers 404 for an unknown note", async () => {
      const reply = await call("getNote", {
        method: "GET",
        resource: NOTE,
        pathParameters: { userId: newUser(), noteId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" },
      });
      assert.equal(reply.status, 404);
      assert.equal(errorOf(reply).code, "NotFound");
    });

    it("refuses a stale version (409, item unchanged) and applies a fresh one (200, version + 1)", async () => {
      const userId = newUser();
      const created = await createNote(userId, "first");
      const put = (note: string, version: number) =>
        call("updateNote", {
          method: "PUT",
          resource: NOTE,
          pathParameters: { userId, noteId: created.noteId },
          body: { note, version },
        });

      const fresh = await put("second", 1);
      assert.equal(fresh.status, 200, fresh.rawBody);
      const updated = fresh.body as Note;
      assert.equal(updated.version, 2);
      assert.equal(updated.note, "second");
      assert.equal(updated.createdAt, created.createdAt);

      const stored = await snapshot();
      const stale = await put("from a stale page", 1);
      assert.equal(stale.status, 409);
      assert.equal(errorOf(stale).code, "VersionConflict");
      assert.deepEqual(await snapshot(), stored);

      const got = await call("getNote", {
        method: "GET",
        resource: NOTE,
        pathParameters: { userId, noteId: created.noteId },
      });
      assert.deepEqual(got.body, updated);
    });

    it("deletes a note idempotently (204, 204) and then it is gone (404)", async () => {
      const userId = newUser();
      const { noteId } = await createNote(userId, "short-lived");
      for (let i = 0; i < 2; i++) {
        const reply = await call("deleteNote", {
          method: "DELETE",
          resource: NOTE,
          pathParameters: { userId, noteId },
        });
        assert.equal(reply.status, 204);
        assert.equal(reply.rawBody, "");
      }
      const got = await call("getNote", {
        method: "GET",
        resource: NOTE,
        pathParameters: { userId, noteId },
      });
      assert.equal(got.status, 404);
    });

    it("shuffles friends' moods (201) and lists at most five (200)", async () => {
      const shuffled: { name: string; status: string }[] = [];
      for (let i = 0; i < 12; i++) {
        const reply = await call("shuffleMember", { method: "POST", resource: MEMBERS });
        assert.equal(reply.status, 201, reply.rawBody);
        const member = reply.body as { name: string; status: string };
        assert.deepEqual(Object.keys(member).sort(), ["name", "status"]);
        assert.ok(NAMES.includes(member.name), member.name);
        assert.ok(STATUSES.includes(member.status), member.status);
        shuffled.push(member);
      }
      const reply = await call("listMembers", { method: "GET", resource: MEMBERS });
      assert.equal(reply.status, 200);
      const { members } = reply.body as { members: { name: string; status: string }[] };
      assert.ok(members.length >= 1 && members.length <= 5, `${members.length} members`);
      assert.deepEqual(
        members.map((m) => m.name),
        [...new Set(shuffled.map((m) => m.name))].sort(),
      );
      // Each friend shows the mood last stored for them.
      for (const member of members) {
        assert.equal(member.status, shuffled.filter((m) => m.name === member.name).pop()?.status);
      }
    });

    describe("client errors change nothing", () => {
      const victim = "victim";
      let noteId: string;

      before(async () => {
        noteId = (await createNote(victim, "keep me")).noteId;
        await call("shuffleMember", { method: "POST", resource: MEMBERS });
      });

      const long = "x".repeat(10_001);
      const update = (body: unknown, headers?: Record<string, string>): EventSpec => ({
        method: "PUT",
        resource: NOTE,
        pathParameters: { userId: victim, noteId },
        body,
        headers,
      });
      const create = (
        body: unknown,
        headers?: Record<string, string>,
        userId = victim,
      ): EventSpec => ({
        method: "POST",
        resource: NOTES,
        pathParameters: { userId },
        body,
        headers,
      });
      const cases: {
        what: string;
        route: string;
        spec: () => EventSpec;
        status: number;
        code: string;
        allow?: string;
      }[] = [
        {
          what: "bad JSON (create)",
          route: "createNote",
          spec: () => create('{"note": "unterminated', JSON_HEADERS),
          status: 400,
          code: "InvalidJson",
        },
        {
          what: "bad JSON (update)",
          route: "updateNote",
          spec: () => update("{note: 'single quotes'}", JSON_HEADERS),
          status: 400,
          code: "InvalidJson",
        },
        {
          what: "a JSON array body",
          route: "createNote",
          spec: () => create([{ note: "x" }]),
          status: 400,
          code: "InvalidBody",
        },
        {
          what: "a missing note (create)",
          route: "createNote",
          spec: () => create({}),
          status: 400,
          code: "MissingField",
        },
        {
          what: "a missing note (update)",
          route: "updateNote",
          spec: () => update({ version: 1 }),
          status: 400,
          code: "MissingField",
        },
        {
          what: "a missing version",
          route: "updateNote",
          spec: () => update({ note: "y" }),
          status: 400,
          code: "MissingField",
        },
        {
          what: "a numeric note",
          route: "createNote",
          spec: () => create({ note: 42 }),
          status: 400,
          code: "InvalidField",
        },
        {
          what: "a null note",
          route: "createNote",
          spec: () => create({ note: null }),
          status: 400,
          code: "InvalidField",
        },
        {
          what: "a blank note",
          route: "createNote",
          spec: () => create({ note: "   " }),
          status: 400,
          code: "InvalidField",
        },
        {
          what: "a string version",
          route: "updateNote",
          spec: () => update({ note: "y", version: "1" }),
          status: 400,
          code: "InvalidField",
        },
        {
          what: "a fractional version",
          route: "updateNote",
          spec: () => update({ note: "y", version: 1.5 }),
          status: 400,
          code: "InvalidField",
        },
        {
          what: "a 10,001-character note (create)",
          route: "createNote",
          spec: () => create({ note: long }),
          status: 400,
          code: "NoteTooLong",
        },
        {
          what: "a 10,001-character note (update)",
          route: "updateNote",
          spec: () => update({ note: long, version: 1 }),
          status: 400,
          code: "NoteTooLong",
        },
        {
          what: "10,001 emoji (code points, not UTF-16 units)",
          route: "createNote",
          spec: () => create({ note: "😀".repeat(10_001) }),
          status: 400,
          code: "NoteTooLong",
        },
        {
          what: "a body over 64 KiB",
          route: "createNote",
          spec: () => create({ note: "short", padding: "p".repeat(64 * 1024) }),
          status: 400,
          code: "PayloadTooLarge",
        },
        {
          what: "a userId with a space",
          route: "createNote",
          spec: () => create({ note: "x" }, undefined, "bad user"),
          status: 400,
          code: "InvalidUserId",
        },
        {
          what: "a 65-character userId",
          route: "createNote",
          spec: () => create({ note: "x" }, undefined, "u".repeat(65)),
          status: 400,
          code: "InvalidUserId",
        },
        {
          what: "a noteId with a dot (get)",
          route: "getNote",
          spec: () => ({
            method: "GET",
            resource: NOTE,
            pathParameters: { userId: victim, noteId: "../x" },
          }),
          status: 400,
          code: "InvalidNoteId",
        },
        {
          what: "a noteId with a dot (delete)",
          route: "deleteNote",
          spec: () => ({
            method: "DELETE",
            resource: NOTE,
            pathParameters: { userId: victim, noteId: `${noteId}.` },
          }),
          status: 400,
          code: "InvalidNoteId",
        },
        {
          what: "a bad userId (export)",
          route: "exportNotes",
          spec: () => ({ method: "GET", resource: EXPORT, pathParameters: { userId: "vic tim" } }),
          status: 400,
          code: "InvalidUserId",
        },
        {
          what: "DELETE to the export route",
          route: "exportNotes",
          spec: () => ({ method: "DELETE", resource: EXPORT, pathParameters: { userId: victim } }),
          status: 405,
          code: "MethodNotAllowed",
          allow: "GET",
        },
        {
          what: "a bad userId (delete)",
          route: "deleteNote",
          spec: () => ({
            method: "DELETE",
            resource: NOTE,
            pathParameters: { userId: "vic tim", noteId },
          }),
          status: 400,
          code: "InvalidUserId",
        },
        {
          what: "limit=0",
          route: "listNotes",
          spec: () => ({
            method: "GET",
            resource: NOTES,
            pathParameters: { userId: victim },
            query: { limit: "0" },
          }),
          status: 400,
          code: "InvalidLimit",
        },
        {
          what: "limit=101",
          route: "listNotes",
          spec: () => ({
            method: "GET",
            resource: NOTES,
            pathParameters: { userId: victim },
            query: { limit: "101" },
          }),
          status: 400,
          code: "InvalidLimit",
        },
        {
          what: "a forged cursor",
          route: "listNotes",
          spec: () => ({
            method: "GET",
            resource: NOTES,
            pathParameters: { userId: victim },
            query: {
              cursor: Buffer.from(
                JSON.stringify({ UserId: "someone-else", NoteId: noteId }),
              ).toString("base64url"),
            },
          }),
          status: 400,
          code: "InvalidCursor",
        },
        {
          what: "an update of an absent note",
          route: "updateNote",
          spec: () => ({
            ...update({ note: "y", version: 1 }),
            pathParameters: { userId: victim, noteId: "01ARZ3NDEKTSV4RRFFQ69G5FAV" },
          }),
          status: 404,
          code: "NotFound",
        },
        {
          what: "a stale version",
          route: "updateNote",
          spec: () => update({ note: "y", version: 7 }),
          status: 409,
          code: "VersionConflict",
        },
        {
          what: "PUT to the create route",
          route: "createNote",
          spec: () => ({ ...create({ note: "x" }), method: "PUT" }),
          status: 405,
          code: "MethodNotAllowed",
          allow: "POST",
        },
        {
          what: "POST to the delete route",
          route: "deleteNote",
          spec: () => ({
            method: "POST",
            resource: NOTE,
            pathParameters: { userId: victim, noteId },
          }),
          status: 405,
          code: "MethodNotAllowed",
          allow: "DELETE",
        },
        {
          what: "GET to the shuffle route",
          route: "shuffleMember",
          spec: () => ({ method: "GET", resource: MEMBERS }),
          status: 405,
          code: "MethodNotAllowed",
          allow: "POST",
        },
        {
          what: "a text/plain body (create)",
          route: "createNote",
          spec: () => create("note=hello", { "Content-Type": "text/plain" }),
          status: 415,
          code: "UnsupportedMediaType",
        },
        {
          what: "a body without a content type",
          route: "createNote",
          spec: () => create('{"note":"hello"}'),
          status: 415,
          code: "UnsupportedMediaType",
        },
        {
          what: "a form body (update)",
          route: "updateNote",
          spec: () =>
            update("note=y&version=1", { "Content-Type": "application/x-www-form-urlencoded" }),
          status: 415,
          code: "UnsupportedMediaType",
        },
      ];

      // Each notes route, as another signed-in user and with no claims at all.
      const notesRoutes: [string, () => EventSpec][] = [
        [
          "listNotes",
          () => ({ method: "GET", resource: NOTES, pathParameters: { userId: victim } }),
        ],
        ["createNote", () => create({ note: "planted" })],
        [
          "exportNotes",
          () => ({ method: "GET", resource: EXPORT, pathParameters: { userId: victim } }),
        ],
        [
          "getNote",
          () => ({ method: "GET", resource: NOTE, pathParameters: { userId: victim, noteId } }),
        ],
        ["updateNote", () => update({ note: "overwritten", version: 1 })],
        [
          "deleteNote",
          () => ({ method: "DELETE", resource: NOTE, pathParameters: { userId: victim, noteId } }),
        ],
      ];
      for (const [name, spec] of notesRoutes) {
        cases.push(
          {
            what: `another user's token on the victim's path (${name})`,
            route: name,
            spec: () => ({ ...spec(), caller: "intruder" }),
            status: 403,
            code: "Forbidden",
          },
          {
            what: `no authorizer claims (${name})`,
            route: name,
            spec: () => ({ ...spec(), caller: null }),
            status: 401,
            code: "Unauthorized",
          },
        );
      }
      cases.push(
        {
          what: "the largest safe version, whose successor is not safe (update)",
          route: "updateNote",
          spec: () => update({ note: "y", version: Number.MAX_SAFE_INTEGER }),
          status: 409,
          code: "VersionConflict",
        },
        {
          what: 'the note id "export" (update)',
          route: "updateNote",
          spec: () => ({
            ...update({ note: "y", version: 1 }),
            pathParameters: { userId: victim, noteId: "export" },
          }),
          status: 400,
          code: "InvalidNoteId",
        },
      );

      it("a base64 body that is not UTF-8 → 400 InvalidEncoding", async () => {
        const before = await snapshot();
        const bytes = Buffer.concat([
          Buffer.from('{"note":"caf'),
          Buffer.from([0xe9]),
          Buffer.from('"}'),
        ]);
        const reply = await call("createNote", create(bytes.toString("base64"), JSON_HEADERS), {
          isBase64Encoded: true,
        });
        assert.equal(reply.status, 400, reply.rawBody);
        assert.equal(errorOf(reply).code, "InvalidEncoding");
        assert.deepEqual(await snapshot(), before);
      });

      it("the owner's own token on every notes route still works", async () => {
        const owner = newUser();
        const mine = await createNote(owner, "mine");
        for (const [name, spec] of notesRoutes) {
          const own = spec();
          const params: Record<string, string> = own.pathParameters?.noteId
            ? { userId: owner, noteId: mine.noteId }
            : { userId: owner };
          const reply = await call(name, { ...own, pathParameters: params });
          assert.ok(reply.status >= 200 && reply.status < 300, `${name}: ${reply.rawBody}`);
        }
        assert.deepEqual(
          (await queryNotes(client, tableName("Notes"), owner)).notes.map((n) => n.note),
          ["planted"],
        );
      });

      for (const c of cases) {
        it(`${c.what} → ${c.status} ${c.code}`, async () => {
          const before = await snapshot();
          assert.ok(before[0].length > 0 && before[1].length > 0, "both tables hold items");
          const reply = await call(c.route, c.spec());
          assert.equal(reply.status, c.status, reply.rawBody);
          assert.equal(errorOf(reply).code, c.code);
          if (c.allow) assert.equal(reply.headers.Allow, c.allow);
          assert.deepEqual(await snapshot(), before);
        });
      }
    });

    it("answers 500 with a generic message, and logs the cause, when its table is missing", async () => {
      const missing = `serverless-notes-${stack}-Missing`;
      const specs: Record<string, EventSpec> = {
        listNotes: { method: "GET", resource: NOTES, pathParameters: { userId: "u1" } },
        createNote: {
          method: "POST",
          resource: NOTES,
          pathParameters: { userId: "u1" },
          body: { note: "x" },
        },
        getNote: { method: "GET", resource: NOTE, pathParameters: { userId: "u1", noteId: "n1" } },
        updateNote: {
          method: "PUT",
          resource: NOTE,
          pathParameters: { userId: "u1", noteId: "n1" },
          body: { note: "x", version: 1 },
        },
        deleteNote: {
          method: "DELETE",
          resource: NOTE,
          pathParameters: { userId: "u1", noteId: "n1" },
        },
        exportNotes: { method: "GET", resource: EXPORT, pathParameters: { userId: "u1" } },
        listMembers: { method: "GET", resource: MEMBERS },
        shuffleMember: { method: "POST", resource: MEMBERS },
      };
      assert.deepEqual(Object.keys(specs).sort(), routes.map((r) => r.name).sort());
      await Promise.all(
        routes.map(async (r) => {
          const { resource, variables } = route(r.name);
          const bundled = startBundled(resource, { ...awsEnvironment, TABLE_NAME: missing });
          extra.push(bundled);
          const { fn } = bundled;
          const outcome = await fn.invoke(proxyEvent(specs[r.name]));
          const reply = replyOf(outcome, variables.CORS_ORIGIN, `${r.name} without its table`);
          assert.equal(reply.status, 500, `${r.name}: ${reply.rawBody}`);
          assert.deepEqual(reply.body, {
            error: { code: "InternalError", message: "Internal server error" },
          });
          const logged = outcome.logs.filter((l) =>
            l.includes(`awsRequestId=${outcome.requestId}`),
          );
          assert.equal(logged.length, 1, `${r.name}: the error is logged with the request id`);
          assert.match(logged[0], /\tERROR\t/);
          assert.ok(
            outcome.logs.some((l) => l.includes("ResourceNotFoundException")),
            `${r.name}: the cause is logged`,
          );
        }),
      );
    });
  });
}
