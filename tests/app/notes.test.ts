import assert from "node:assert/strict";
import type { APIGatewayProxyEvent } from "aws-lambda";
import type { Handler } from "../../app/http";
import { createNote, deleteNote, getNote, listNotes, updateNote } from "../../app/notes";
import { exportNotes } from "../../app/notesExport";
import type { NotesExport } from "../../app/notesExport";
import { tables } from "../../app/routes";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { lambdaContext, proxyEvent } from "../support/events";
import type { EventSpec } from "../support/events";
import { errorOf, invoke, capturingConsoleError } from "../support/invoke";
import type { Reply } from "../support/invoke";
import { createTables, tableContents } from "../support/tables";
import type { Note, NotesPage } from "../../app/notes";

const NOTES = "/users/{userId}/notes";
const NOTE = "/users/{userId}/notes/{noteId}";
const EXPORT = "/users/{userId}/notes/export";
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe("notes routes", () => {
  let dynamo: TestDynamo;
  let list: Handler;
  let create: Handler;
  let get: Handler;
  let update: Handler;
  let remove: Handler;
  let users = 0;

  /** A user id no other test uses, so tests do not see each other's notes. */
  const newUser = () => `user-${++users}`;
  const contents = () => tableContents(dynamo.client, tables.notes.name);

  const listSpec = (userId: string, query?: Record<string, string>): EventSpec => ({
    method: "GET",
    resource: NOTES,
    pathParameters: { userId },
    query,
  });
  const createSpec = (userId: string, body: unknown): EventSpec => ({
    method: "POST",
    resource: NOTES,
    pathParameters: { userId },
    body,
  });
  const noteSpec = (method: string, userId: string, noteId: string, body?: unknown): EventSpec => ({
    method,
    resource: NOTE,
    pathParameters: { userId, noteId },
    body,
  });

  async function addNote(userId: string, note: string): Promise<Note> {
    const reply = await invoke(create, createSpec(userId, { note }));
    assert.equal(reply.status, 201, reply.rawBody);
    return reply.body as Note;
  }

  async function listPage(userId: string, query?: Record<string, string>): Promise<NotesPage> {
    const reply = await invoke(list, listSpec(userId, query));
    assert.equal(reply.status, 200, reply.rawBody);
    return reply.body as NotesPage;
  }

  /** Sends a bad request; checks the error reply and that no stored data changed. */
  async function rejects(
    handler: Handler,
    spec: EventSpec,
    status: number,
    code: string,
    patch: Partial<APIGatewayProxyEvent> = {},
  ): Promise<Reply> {
    const before = await contents();
    assert.ok(before.length > 0, "the table should hold notes to protect");
    const reply = await invoke(handler, spec, patch);
    assert.equal(reply.status, status, reply.rawBody);
    assert.equal(errorOf(reply).code, code);
    assert.equal(reply.headers["Content-Type"], "application/json");
    assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
    assert.deepEqual(await contents(), before);
    return reply;
  }

  before(async () => {
    // The export's bucket is never reached here: every export below is small enough to answer.
    dynamo = await startTestDynamo({ TABLE_NAME: tables.notes.name, BUCKET_NAME: "unused" });
    await createTables(dynamo.client, [tables.notes]);
    list = listNotes();
    create = createNote();
    get = getNote();
    update = updateNote();
    remove = deleteNote();
    await addNote("seed", "a note every bad request must leave alone");
  });

  after(async () => {
    await dynamo.close();
  });

  // Bodies both POST and PUT reject; `version` keeps PUT from failing on it first.
  const badBodies: { name: string; body: unknown; code: string }[] = [
    { name: "malformed JSON", body: '{"note": "x",', code: "InvalidJson" },
    { name: "an empty body", body: "", code: "InvalidJson" },
    { name: "a JSON array", body: "[]", code: "InvalidBody" },
    { name: "a JSON string", body: '"just text"', code: "InvalidBody" },
    { name: "JSON null", body: "null", code: "InvalidBody" },
    { name: "a missing note", body: { version: 1 }, code: "MissingField" },
    { name: "a numeric note", body: { note: 42, version: 1 }, code: "InvalidField" },
    { name: "a null note", body: { note: null, version: 1 }, code: "InvalidField" },
    { name: "a blank note", body: { note: " \n\t ", version: 1 }, code: "InvalidField" },
    {
      name: "a note of 10,001 characters",
      body: { note: "a".repeat(10_001), version: 1 },
      code: "NoteTooLong",
    },
    {
      name: "a body over 64 KiB",
      body: { note: "short", version: 1, padding: "x".repeat(64 * 1024) },
      code: "PayloadTooLarge",
    },
  ];
  const jsonHeaders = { "Content-Type": "application/json" };
  /** Strings are sent as they are, so they need the JSON content type set by hand. */
  const headersFor = (body: unknown) => (typeof body === "string" ? jsonHeaders : undefined);

  const badMediaTypes: { name: string; headers: Record<string, string> }[] = [
    { name: "no content type", headers: {} },
    { name: "text/plain", headers: { "Content-Type": "text/plain" } },
    { name: "form data", headers: { "content-type": "application/x-www-form-urlencoded" } },
    { name: "application/jsonp", headers: { "Content-Type": "application/jsonp" } },
  ];

  const badIds = ["has space", "a".repeat(65), "slash/y", "ünï", "dot.ted", ""];

  describe("POST /users/{userId}/notes", () => {
    it("creates a note at version 1 and answers 201 with it", async () => {
      const userId = newUser();
      const reply = await invoke(create, createSpec(userId, { note: "Buy milk" }));
      assert.equal(reply.status, 201);
      assert.equal(reply.headers["Content-Type"], "application/json");
      assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
      const note = reply.body as Note;
      assert.deepEqual(Object.keys(note).sort(), [
        "createdAt",
        "note",
        "noteId",
        "updatedAt",
        "userId",
        "version",
      ]);
      assert.equal(note.userId, userId);
      assert.equal(note.note, "Buy milk");
      assert.equal(note.version, 1);
      assert.match(note.noteId, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.match(note.createdAt, ISO_8601);
      assert.equal(note.updatedAt, note.createdAt);

      const stored = (await contents()).filter((item) => item.UserId.S === userId);
      assert.deepEqual(stored, [
        {
          UserId: { S: userId },
          NoteId: { S: note.noteId },
          Note: { S: "Buy milk" },
          CreatedAt: { S: note.createdAt },
          UpdatedAt: { S: note.createdAt },
          Version: { N: "1" },
        },
      ]);
    });

    it("gives each new note an id that sorts after the previous one", async () => {
      const userId = newUser();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await addNote(userId, `n${i}`)).noteId);
      assert.deepEqual([...ids].sort(), ids);
      assert.equal(new Set(ids).size, ids.length);
    });

    it("accepts exactly 10,000 characters, counted as characters, not bytes", async () => {
      const userId = newUser();
      const plain = await addNote(userId, "a".repeat(10_000));
      assert.equal(plain.note.length, 10_000);
      // 10,000 emoji are 20,000 UTF-16 units and 40,000 bytes, still 10,000 characters.
      const emoji = await addNote(userId, "😀".repeat(10_000));
      assert.equal(emoji.note, "😀".repeat(10_000));
    });

    it("accepts a JSON content type with parameters and any header case", async () => {
      const reply = await invoke(
        create,
        createSpec(newUser(), JSON.stringify({ note: "charset" })),
        { headers: { "content-TYPE": "Application/JSON; charset=utf-8" } },
      );
      assert.equal(reply.status, 201, reply.rawBody);
    });

    it("accepts a base64-encoded body", async () => {
      const body = Buffer.from(JSON.stringify({ note: "encoded ✓" })).toString("base64");
      const reply = await invoke(create, createSpec(newUser(), body), {
        headers: jsonHeaders,
        isBase64Encoded: true,
      });
      assert.equal(reply.status, 201, reply.rawBody);
      assert.equal((reply.body as Note).note, "encoded ✓");
    });

    for (const bad of badBodies) {
      it(`rejects ${bad.name} with 400 ${bad.code}`, async () => {
        await rejects(
          create,
          { ...createSpec(newUser(), bad.body), headers: headersFor(bad.body) },
          400,
          bad.code,
        );
      });
    }

    it("counts the bytes of a base64-encoded body against the 64 KiB limit", async () => {
      const json = JSON.stringify({ note: "x", padding: "é".repeat(33_000) });
      assert.ok(json.length < 64 * 1024 && Buffer.byteLength(json) > 64 * 1024);
      const reply = await rejects(
        create,
        createSpec(newUser(), Buffer.from(json).toString("base64")),
        400,
        "PayloadTooLarge",
        { headers: jsonHeaders, isBase64Encoded: true },
      );
      assert.match(errorOf(reply).message, /65536 bytes/);
    });

    for (const media of badMediaTypes) {
      it(`rejects ${media.name} with 415`, async () => {
        await rejects(
          create,
          { ...createSpec(newUser(), '{"note":"x"}'), headers: media.headers },
          415,
          "UnsupportedMediaType",
        );
      });
    }

    for (const userId of badIds) {
      it(`rejects the user id ${JSON.stringify(userId.slice(0, 12))} with 400`, async () => {
        await rejects(
          create,
          { ...createSpec(userId, { note: "x" }), caller: "seed" },
          400,
          "InvalidUserId",
        );
      });
    }

    it("rejects a request without path parameters with 400", async () => {
      await rejects(
        create,
        { method: "POST", resource: NOTES, body: { note: "x" }, caller: "seed" },
        400,
        "InvalidUserId",
      );
    });

    it("answers another method with 405 and an Allow header", async () => {
      const reply = await rejects(
        create,
        { ...createSpec(newUser(), { note: "x" }), method: "PUT" },
        405,
        "MethodNotAllowed",
      );
      assert.equal(reply.headers.Allow, "POST");
    });
  });

  describe("GET /users/{userId}/notes", () => {
    const pagedUser = "paged-user";
    let created: Note[];

    before(async () => {
      created = [];
      for (let i = 0; i < 25; i++) created.push(await addNote(pagedUser, `note ${i}`));
    });

    it("pages newest first with limit and cursor: 10, 10, 5, then a null cursor", async () => {
      const pages: Note[][] = [];
      let cursor: string | null = null;
      do {
        const page: NotesPage = await listPage(pagedUser, {
          limit: "10",
          ...(cursor ? { cursor } : {}),
        });
        pages.push(page.notes);
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 10);
      assert.deepEqual(
        pages.map((p) => p.length),
        [10, 10, 5],
      );
      assert.equal(cursor, null);
      assert.deepEqual(pages.flat(), [...created].reverse());
    });

    it("returns 20 notes by default", async () => {
      const page = await listPage(pagedUser);
      assert.deepEqual(page.notes, [...created].reverse().slice(0, 20));
      assert.equal(typeof page.nextCursor, "string");
    });

    it("returns up to 100 notes and a null cursor when nothing is left", async () => {
      const page = await listPage(pagedUser, { limit: "100" });
      assert.equal(page.notes.length, 25);
      assert.equal(page.nextCursor, null);
    });

    it("ends with a null cursor when the last page is exactly full", async () => {
      const first = await listPage(pagedUser, { limit: "5" });
      assert.ok(first.nextCursor);
      const rest = await listPage(pagedUser, { limit: "20", cursor: first.nextCursor });
      assert.equal(rest.notes.length, 20);
      assert.equal(rest.nextCursor, null);
    });

    it("lists only that user's notes, and nothing for a user without notes", async () => {
      const page = await listPage(pagedUser, { limit: "100" });
      assert.ok(page.notes.every((n) => n.userId === pagedUser));
      assert.deepEqual(await listPage(newUser()), { notes: [], nextCursor: null });
    });

    for (const limit of ["0", "101", "abc", "-1", "1.5", "", "010", "1e1"]) {
      it(`rejects limit=${JSON.stringify(limit)} with 400`, async () => {
        await rejects(list, listSpec(pagedUser, { limit }), 400, "InvalidLimit");
      });
    }

    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const badCursors: [string, string][] = [
      ["not base64url", "not a cursor!"],
      ["base64url of text", Buffer.from("hello").toString("base64url")],
      ["a JSON array", encode(["paged-user", "x"])],
      ["a key without a note id", encode({ UserId: pagedUser })],
      ["a key with a bad note id", encode({ UserId: pagedUser, NoteId: "a b" })],
      ["an empty cursor", ""],
    ];
    for (const [name, cursor] of badCursors) {
      it(`rejects a cursor that is ${name} with 400`, async () => {
        await rejects(list, listSpec(pagedUser, { cursor }), 400, "InvalidCursor");
      });
    }

    it("rejects another user's cursor with 400", async () => {
      const other = newUser();
      await addNote(other, "one");
      await addNote(other, "two");
      const { nextCursor } = await listPage(other, { limit: "1" });
      assert.ok(nextCursor);
      assert.equal((await listPage(other, { cursor: nextCursor })).notes.length, 1);
      await rejects(list, listSpec(pagedUser, { cursor: nextCursor }), 400, "InvalidCursor");
    });

    for (const userId of badIds) {
      it(`rejects the user id ${JSON.stringify(userId.slice(0, 12))} with 400`, async () => {
        await rejects(list, { ...listSpec(userId), caller: "seed" }, 400, "InvalidUserId");
      });
    }

    it("answers another method with 405 and an Allow header", async () => {
      const reply = await rejects(
        list,
        { ...listSpec(pagedUser), method: "DELETE" },
        405,
        "MethodNotAllowed",
      );
      assert.equal(reply.headers.Allow, "GET");
    });
  });

  describe("GET /users/{userId}/notes/{noteId}", () => {
    it("answers 200 with the note", async () => {
      const userId = newUser();
      const note = await addNote(userId, "read me");
      const reply = await invoke(get, noteSpec("GET", userId, note.noteId));
      assert.equal(reply.status, 200);
      assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
      assert.deepEqual(reply.body, note);
    });

    it("answers 404 for an unknown note, and for another user's note", async () => {
      const owner = newUser();
      const note = await addNote(owner, "mine");
      await rejects(get, noteSpec("GET", owner, "01ARZ3NDEKTSV4RRFFQ69G5FAV"), 404, "NotFound");
      await rejects(get, noteSpec("GET", newUser(), note.noteId), 404, "NotFound");
    });

    for (const noteId of badIds) {
      it(`rejects the note id ${JSON.stringify(noteId.slice(0, 12))} with 400`, async () => {
        await rejects(get, noteSpec("GET", newUser(), noteId), 400, "InvalidNoteId");
      });
    }

    it("rejects a bad user id with 400", async () => {
      await rejects(get, noteSpec("GET", "bad user", "n1"), 400, "InvalidUserId");
    });

    it('refuses the note id "export", which is the export route\'s path, on every note route', async () => {
      const userId = newUser();
      for (const [handler, method, body] of [
        [get, "GET", undefined],
        [update, "PUT", { note: "x", version: 1 }],
        [remove, "DELETE", undefined],
      ] as const) {
        await rejects(handler, noteSpec(method, userId, "export", body), 400, "InvalidNoteId");
      }
    });

    it("answers another method with 405 and an Allow header", async () => {
      const reply = await rejects(get, noteSpec("POST", newUser(), "n1"), 405, "MethodNotAllowed");
      assert.equal(reply.headers.Allow, "GET");
    });
  });

  describe("PUT /users/{userId}/notes/{noteId}", () => {
    it("replaces the text, bumps the version and answers 200 with the note", async () => {
      const userId = newUser();
      const note = await addNote(userId, "draft");
      const reply = await invoke(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "final", version: 1 }),
      );
      assert.equal(reply.status, 200, reply.rawBody);
      assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
      const updated = reply.body as Note;
      assert.deepEqual(
        { ...updated, updatedAt: "" },
        { ...note, note: "final", version: 2, updatedAt: "" },
      );
      assert.match(updated.updatedAt, ISO_8601);
      assert.ok(updated.updatedAt >= note.createdAt);

      const again = await invoke(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "final 2", version: 2 }),
      );
      assert.equal(again.status, 200, again.rawBody);
      assert.equal((again.body as Note).version, 3);
      const read = await invoke(get, noteSpec("GET", userId, note.noteId));
      assert.deepEqual(read.body, again.body);
    });

    it("answers 409 to a stale or future version and leaves the note as it was", async () => {
      const userId = newUser();
      const note = await addNote(userId, "v1");
      const v2 = await invoke(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "v2", version: 1 }),
      );
      assert.equal(v2.status, 200);
      const stale = await rejects(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "lost update", version: 1 }),
        409,
        "VersionConflict",
      );
      assert.match(errorOf(stale).message, /version 2/);
      await rejects(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "from the future", version: 7 }),
        409,
        "VersionConflict",
      );
      const read = await invoke(get, noteSpec("GET", userId, note.noteId));
      assert.deepEqual(read.body, v2.body);
    });

    it("answers 404 for an absent note and does not create it", async () => {
      const userId = newUser();
      await rejects(
        update,
        noteSpec("PUT", userId, "01ARZ3NDEKTSV4RRFFQ69G5FAV", { note: "ghost", version: 1 }),
        404,
        "NotFound",
      );
    });

    for (const bad of badBodies) {
      it(`rejects ${bad.name} with 400 ${bad.code}`, async () => {
        const userId = newUser();
        const note = await addNote(userId, "keep me");
        await rejects(
          update,
          { ...noteSpec("PUT", userId, note.noteId, bad.body), headers: headersFor(bad.body) },
          400,
          bad.code,
        );
      });
    }

    const badVersions: [string, unknown][] = [
      ["a string", "1"],
      ["zero", 0],
      ["a negative number", -1],
      ["a fraction", 1.5],
      ["null", null],
      ["an unsafe integer", 2 ** 53],
      ["a huge number", 1e300],
      ["written as a huge JSON number", "RAW:1e400"],
    ];
    it("answers 409 to the largest safe version, whose successor is not a safe number", async () => {
      const userId = newUser();
      const note = await addNote(userId, "keep me");
      const stale = await rejects(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "x", version: Number.MAX_SAFE_INTEGER }),
        409,
        "VersionConflict",
      );
      assert.match(errorOf(stale).message, /version 1,/);
    });

    it("rejects a missing version with 400 MissingField", async () => {
      const userId = newUser();
      const note = await addNote(userId, "keep me");
      await rejects(
        update,
        noteSpec("PUT", userId, note.noteId, { note: "x" }),
        400,
        "MissingField",
      );
    });
    for (const [name, version] of badVersions) {
      it(`rejects a version that is ${name} with 400 InvalidField`, async () => {
        const userId = newUser();
        const note = await addNote(userId, "keep me");
        await rejects(
          update,
          typeof version === "string" && version.startsWith("RAW:")
            ? {
                ...noteSpec(
                  "PUT",
                  userId,
                  note.noteId,
                  `{"note":"x","version":${version.slice(4)}}`,
                ),
                headers: jsonHeaders,
              }
            : noteSpec("PUT", userId, note.noteId, { note: "x", version }),
          400,
          "InvalidField",
        );
      });
    }

    for (const media of badMediaTypes) {
      it(`rejects ${media.name} with 415`, async () => {
        const userId = newUser();
        const note = await addNote(userId, "keep me");
        await rejects(
          update,
          {
            ...noteSpec("PUT", userId, note.noteId, '{"note":"x","version":1}'),
            headers: media.headers,
          },
          415,
          "UnsupportedMediaType",
        );
      });
    }

    for (const noteId of badIds) {
      it(`rejects the note id ${JSON.stringify(noteId.slice(0, 12))} with 400`, async () => {
        await rejects(
          update,
          noteSpec("PUT", newUser(), noteId, { note: "x", version: 1 }),
          400,
          "InvalidNoteId",
        );
      });
    }

    it("rejects a bad user id with 400", async () => {
      await rejects(
        update,
        noteSpec("PUT", "a".repeat(65), "n1", { note: "x", version: 1 }),
        400,
        "InvalidUserId",
      );
    });

    it("answers another method with 405 and an Allow header", async () => {
      const userId = newUser();
      const note = await addNote(userId, "keep me");
      const reply = await rejects(
        update,
        noteSpec("PATCH", userId, note.noteId, { note: "x", version: 1 }),
        405,
        "MethodNotAllowed",
      );
      assert.equal(reply.headers.Allow, "PUT");
    });
  });

  describe("DELETE /users/{userId}/notes/{noteId}", () => {
    it("answers 204 with an empty body, also when the note is already gone", async () => {
      const userId = newUser();
      const kept = await addNote(userId, "keep");
      const doomed = await addNote(userId, "delete");
      const before = await contents();

      const first = await invoke(remove, noteSpec("DELETE", userId, doomed.noteId));
      assert.equal(first.status, 204);
      assert.equal(first.rawBody, "");
      assert.equal(first.headers["Access-Control-Allow-Origin"], "*");
      const after = await contents();
      assert.deepEqual(
        after,
        before.filter((item) => item.NoteId.S !== doomed.noteId),
      );
      assert.equal((await invoke(get, noteSpec("GET", userId, doomed.noteId))).status, 404);
      assert.equal((await invoke(get, noteSpec("GET", userId, kept.noteId))).status, 200);

      const second = await invoke(remove, noteSpec("DELETE", userId, doomed.noteId));
      assert.equal(second.status, 204);
      assert.equal(second.rawBody, "");
      assert.deepEqual(await contents(), after);
    });

    for (const noteId of badIds) {
      it(`rejects the note id ${JSON.stringify(noteId.slice(0, 12))} with 400`, async () => {
        await rejects(remove, noteSpec("DELETE", "seed", noteId), 400, "InvalidNoteId");
      });
    }

    it("rejects a bad user id with 400", async () => {
      await rejects(remove, noteSpec("DELETE", "se ed", "n1"), 400, "InvalidUserId");
    });

    it("answers another method with 405 and an Allow header", async () => {
      const userId = newUser();
      const note = await addNote(userId, "keep me");
      const reply = await rejects(
        remove,
        noteSpec("GET", userId, note.noteId),
        405,
        "MethodNotAllowed",
      );
      assert.equal(reply.headers.Allow, "DELETE");
    });
  });

  describe("only the owner", () => {
    let exportAll: Handler;
    before(() => {
      exportAll = exportNotes();
    });

    /** Each notes route as user `caller` (null: no claims) calling on `owner`'s notes. */
    const calls = (owner: string, noteId: string, caller: string | null) => {
      const on = (method: string, resource: string, body?: unknown): EventSpec => ({
        method,
        resource,
        pathParameters: resource === NOTE ? { userId: owner, noteId } : { userId: owner },
        body,
        caller,
      });
      return [
        { name: "listNotes", handler: list, spec: on("GET", NOTES) },
        { name: "createNote", handler: create, spec: on("POST", NOTES, { note: "mine now" }) },
        { name: "exportNotes", handler: exportAll, spec: on("GET", EXPORT) },
        { name: "getNote", handler: get, spec: on("GET", NOTE) },
        {
          name: "updateNote",
          handler: update,
          spec: on("PUT", NOTE, { note: "overwritten", version: 1 }),
        },
        { name: "deleteNote", handler: remove, spec: on("DELETE", NOTE) },
      ];
    };

    it("answers 403 to another signed-in user on every route and leaves the owner's notes as they were", async () => {
      const owner = newUser();
      const note = await addNote(owner, "private to the owner");
      for (const call of calls(owner, note.noteId, newUser())) {
        const reply = await rejects(call.handler, call.spec, 403, "Forbidden");
        assert.doesNotMatch(reply.rawBody, /private to the owner/, call.name);
      }
      const still = await invoke(get, noteSpec("GET", owner, note.noteId));
      assert.deepEqual(still.body, note);
    });

    it("answers 401 without authorizer claims on every route, before reading anything", async () => {
      const owner = newUser();
      const note = await addNote(owner, "private to the owner");
      for (const call of calls(owner, note.noteId, null)) {
        await rejects(call.handler, call.spec, 401, "Unauthorized");
      }
      for (const authorizer of [{}, { claims: {} }, { claims: { sub: "" } }, { claims: "x" }]) {
        const event = proxyEvent({ ...listSpec(owner), caller: null });
        const reply = await list(
          { ...event, requestContext: { ...event.requestContext, authorizer } },
          lambdaContext(),
        );
        assert.equal(reply.statusCode, 401, JSON.stringify(authorizer));
      }
    });

    it("lets the owner use every route on their own notes", async () => {
      const owner = newUser();
      const note = await addNote(owner, "mine");
      const expected: Record<string, number> = {
        listNotes: 200,
        createNote: 201,
        exportNotes: 200,
        getNote: 200,
        updateNote: 200,
        deleteNote: 204,
      };
      for (const call of calls(owner, note.noteId, owner)) {
        const reply = await invoke(call.handler, call.spec);
        assert.equal(reply.status, expected[call.name], `${call.name}: ${reply.rawBody}`);
        if (call.name === "exportNotes") {
          assert.equal((reply.body as NotesExport).userId, owner);
        }
      }
      const left = (await listPage(owner)).notes.map((n) => n.note);
      assert.deepEqual(left, ["mine now"]);
    });
  });

  describe("bodies that are not UTF-8", () => {
    it("refuses invalid UTF-8 in a base64-encoded body with 400, storing nothing", async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"note": "caf'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}'),
      ]);
      const reply = await rejects(
        create,
        createSpec(newUser(), bytes.toString("base64")),
        400,
        "InvalidEncoding",
        { headers: jsonHeaders, isBase64Encoded: true },
      );
      assert.match(errorOf(reply).message, /UTF-8/);
    });

    it("refuses a text body with a lone surrogate, and a note that escapes one", async () => {
      // In TypeScript "\ud800" is the lone surrogate itself; "\\ud800" is its JSON escape.
      await rejects(
        create,
        { ...createSpec(newUser(), '{"note": "a\ud800b"}'), headers: jsonHeaders },
        400,
        "InvalidEncoding",
      );
      await rejects(
        create,
        { ...createSpec(newUser(), '{"note": "a\\ud800b"}'), headers: jsonHeaders },
        400,
        "InvalidField",
      );
    });
  });

  describe("server faults", () => {
    const cases: [string, () => Handler, EventSpec][] = [
      ["listNotes", listNotes, listSpec("u1")],
      ["createNote", createNote, createSpec("u1", { note: "x" })],
      ["getNote", getNote, noteSpec("GET", "u1", "n1")],
      ["updateNote", updateNote, noteSpec("PUT", "u1", "n1", { note: "x", version: 1 })],
      ["deleteNote", deleteNote, noteSpec("DELETE", "u1", "n1")],
    ];
    for (const [name, factory, spec] of cases) {
      it(`${name} answers 500 without internals and logs the request ids`, async () => {
        process.env.TABLE_NAME = "NoSuchTable";
        let handler: Handler;
        try {
          handler = factory();
        } finally {
          process.env.TABLE_NAME = tables.notes.name;
        }
        const event = proxyEvent(spec);
        const context = lambdaContext();
        const { result, logged } = await capturingConsoleError(() => handler(event, context));

        assert.equal(result.statusCode, 500);
        assert.equal(result.headers?.["Access-Control-Allow-Origin"], "*");
        assert.deepEqual(JSON.parse(result.body), {
          error: { code: "InternalError", message: "Internal server error" },
        });
        assert.equal(logged.length, 1);
        const line = logged[0]
          .map((arg) => (arg instanceof Error ? arg.stack : String(arg)))
          .join(" ");
        assert.ok(line.includes(context.awsRequestId), line);
        assert.ok(line.includes(event.requestContext.requestId), line);
        assert.match(line, /ResourceNotFound/);
      });
    }
  });
});
