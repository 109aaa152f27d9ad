import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Handler } from "../../app/http";
import { exportSteps, importSteps, routes, tables } from "../../app/routes";
import type { RouteSpec } from "../../app/routes";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import type { EventSpec } from "../support/events";
import { invoke } from "../support/invoke";
import { createTables } from "../support/tables";

const APP_DIR = path.join(__dirname, "..", "..", "app");

interface Sent {
  client: object;
  action: string;
}

/** Records every DynamoDB call made by any client while `run` runs, as IAM action names. */
async function recordCalls(run: () => Promise<void>): Promise<Sent[]> {
  const proto = DynamoDBClient.prototype as unknown as Record<string, unknown>;
  const wasOwn = Object.prototype.hasOwnProperty.call(proto, "send");
  const send = proto.send as (this: DynamoDBClient, ...args: unknown[]) => Promise<unknown>;
  const sent: Sent[] = [];
  proto.send = function (this: DynamoDBClient, ...args: unknown[]) {
    const command = args[0] as { constructor: { name: string } };
    sent.push({
      client: this,
      action: `dynamodb:${command.constructor.name.replace(/Command$/, "")}`,
    });
    return send.apply(this, args);
  };
  try {
    await run();
  } finally {
    if (wasOwn) proto.send = send;
    else delete proto.send;
  }
  return sent;
}

/** A route's handler as its function makes it: BUCKET_NAME only where it has objects. */
function handlerFor(route: RouteSpec): Handler {
  process.env.TABLE_NAME = tables[route.table].name;
  // Never reached by the requests below: each export is small enough to answer inline.
  return withBucketName(route.objects ? "routes-bucket" : undefined, () => route.handler());
}

/** Runs `make` with BUCKET_NAME set to `bucket`, or unset; restores it after. */
function withBucketName<T>(bucket: string | undefined, make: () => T): T {
  const saved = process.env.BUCKET_NAME;
  if (bucket === undefined) delete process.env.BUCKET_NAME;
  else process.env.BUCKET_NAME = bucket;
  try {
    return make();
  } finally {
    if (saved === undefined) delete process.env.BUCKET_NAME;
    else process.env.BUCKET_NAME = saved;
  }
}

describe("routes", () => {
  it("declare the two tables with the key schemas of the spec", () => {
    assert.deepEqual(tables, {
      notes: {
        name: "Notes",
        partitionKey: { name: "UserId", type: "S" },
        sortKey: { name: "NoteId", type: "S" },
      },
      members: { name: "hello-member", partitionKey: { name: "name", type: "S" } },
    });
  });

  it("list each method and path once, on a declared table", () => {
    assert.deepEqual(
      routes.map((r) => `${r.method} ${r.path} ${r.table}`),
      [
        "GET /users/{userId}/notes notes",
        "POST /users/{userId}/notes notes",
        "GET /users/{userId}/notes/export notes",
        "GET /users/{userId}/notes/{noteId} notes",
        "PUT /users/{userId}/notes/{noteId} notes",
        "DELETE /users/{userId}/notes/{noteId} notes",
        "GET /members members",
        "POST /members members",
      ],
    );
    assert.equal(new Set(routes.map((r) => r.name)).size, routes.length);
  });

  it("have factories that fail at start-up without TABLE_NAME", () => {
    const saved = process.env.TABLE_NAME;
    delete process.env.TABLE_NAME;
    try {
      for (const route of routes) assert.throws(() => route.handler(), /TABLE_NAME/, route.name);
    } finally {
      if (saved !== undefined) process.env.TABLE_NAME = saved;
    }
  });

  it("give the routes with bucket objects factories that fail at start-up without BUCKET_NAME", () => {
    const withObjects = routes.filter((r) => r.objects);
    assert.deepEqual(
      withObjects.map((r) => r.name),
      ["exportNotes"],
    );
    for (const route of withObjects) {
      process.env.TABLE_NAME = tables[route.table].name;
      assert.throws(() => withBucketName(undefined, () => route.handler()), /BUCKET_NAME/);
    }
  });

  describe("against DynamoDB", () => {
    let dynamo: TestDynamo;
    let noteId: string;

    before(async () => {
      // TABLE_NAME is listed so that closing restores it; each factory call sets its own.
      dynamo = await startTestDynamo({ TABLE_NAME: tables.notes.name });
      await createTables(dynamo.client, Object.values(tables));
      const create = handlerFor(routes.find((r) => r.name === "createNote") as RouteSpec);
      const reply = await invoke(create, {
        method: "POST",
        resource: "/users/{userId}/notes",
        pathParameters: { userId: "routes" },
        body: { note: "for the route checks" },
      });
      assert.equal(reply.status, 201);
      noteId = (reply.body as { noteId: string }).noteId;
    });

    after(async () => {
      await dynamo.close();
    });

    /** Requests that reach DynamoDB: successes, and the 404 and 409 paths. */
    function requests(route: RouteSpec): { spec: EventSpec; status: number }[] {
      const base = { method: route.method, resource: route.path };
      const note = (id: string) => ({ userId: "routes", noteId: id });
      switch (route.name) {
        case "listNotes":
        case "exportNotes":
          return [{ spec: { ...base, pathParameters: { userId: "routes" } }, status: 200 }];
        case "createNote":
          return [
            {
              spec: { ...base, pathParameters: { userId: "routes" }, body: { note: "n" } },
              status: 201,
            },
          ];
        case "getNote":
          return [
            { spec: { ...base, pathParameters: note(noteId) }, status: 200 },
            { spec: { ...base, pathParameters: note("absent") }, status: 404 },
          ];
        case "updateNote": {
          const body = { note: "edited", version: 1 };
          return [
            { spec: { ...base, pathParameters: note(noteId), body }, status: 200 },
            { spec: { ...base, pathParameters: note(noteId), body }, status: 409 },
            { spec: { ...base, pathParameters: note("absent"), body }, status: 404 },
          ];
        }
        case "deleteNote":
          return [
            { spec: { ...base, pathParameters: note("absent") }, status: 204 },
            { spec: { ...base, pathParameters: note(noteId) }, status: 204 },
          ];
        default:
          return [{ spec: base, status: route.method === "POST" ? 201 : 200 }];
      }
    }

    for (const route of routes) {
      it(`${route.name} calls exactly ${route.actions.join(", ")}, on one client per container`, async () => {
        const handler = handlerFor(route);
        const sent = await recordCalls(async () => {
          for (const { spec, status } of requests(route)) {
            const reply = await invoke(handler, spec);
            assert.equal(reply.status, status, `${route.name}: ${reply.rawBody}`);
          }
        });
        assert.deepEqual([...new Set(sent.map((s) => s.action))].sort(), [...route.actions].sort());
        assert.equal(new Set(sent.map((s) => s.client)).size, 1, "one client for every request");

        const other = await recordCalls(async () => {
          await invoke(handlerFor(route), requests(route)[0].spec);
        });
        assert.notEqual(other[0].client, sent[0].client, "each container makes its own client");
      });
    }
  });

  describe("app modules, as Pulumi serialises them", () => {
    const sources = readdirSync(APP_DIR)
      .filter((file) => file.endsWith(".ts"))
      .map((file) => ({ file, text: readFileSync(path.join(APP_DIR, file), "utf8") }));
    const runtimeProvided =
      /^(@aws-sdk\/client-dynamodb|@aws-sdk\/client-s3|@aws-sdk\/util-dynamodb|node:[a-z_/]+|\.\/[a-zA-Z]+)$/;
    const shipped = new Set(
      [...Object.values(importSteps), ...Object.values(exportSteps)].flatMap((t) => t.modules),
    );
    const runtimeImports = (text: string) =>
      [...text.matchAll(/^import (?!type )[^;]*?from "([^"]+)";/gms)].map((m) => m[1]);

    it("import at run time only the runtime's AWS SDK, node builtins, each other and declared modules", () => {
      assert.ok(sources.length >= 5);
      for (const { file, text } of sources) {
        for (const name of runtimeImports(text)) {
          assert.ok(runtimeProvided.test(name) || shipped.has(name), `${file} imports ${name}`);
        }
        assert.doesNotMatch(text, /\brequire\(/, file);
      }
    });

    it("ship exactly the modules beyond the runtime's that the app imports", () => {
      const used = sources
        .flatMap(({ text }) => runtimeImports(text))
        .filter((n) => shipped.has(n));
      assert.deepEqual([...new Set(used)].sort(), [...shipped].sort());
      assert.deepEqual(importSteps.check.modules, ["csv-parse/sync"]);
      assert.deepEqual(importSteps.loadPart.modules, ["csv-parse"]);
      assert.deepEqual(exportSteps.slice.modules, []);
      assert.deepEqual(exportSteps.summary.modules, []);
    });

    it("never subclass Error, nor build SDK clients at module level", () => {
      for (const { file, text } of sources) {
        assert.doesNotMatch(text, /class\s+\w+\s+extends\s+Error\b/, file);
        assert.doesNotMatch(text, /^(const|let|var|export const) \w+ = new /m, file);
      }
    });
  });
});
