import assert from "node:assert/strict";
import type { Handler } from "../../app/http";
import { listMembers, shuffleMember } from "../../app/members";
import { tables } from "../../app/routes";
import { startTestDynamo } from "../support/dynamo";
import type { TestDynamo } from "../support/dynamo";
import { lambdaContext, proxyEvent } from "../support/events";
import { errorOf, invoke, capturingConsoleError } from "../support/invoke";
import { createTables, tableContents } from "../support/tables";

const NAMES = ["Ama", "Jessie", "Jone", "Penny", "Zon"];
const STATUSES = ["Free", "Happy", "Sad", "Satisfied", "Serious"];

interface Member {
  name: string;
  status: string;
}

describe("members routes", () => {
  let dynamo: TestDynamo;
  let shuffle: Handler;
  let list: Handler;

  const contents = () => tableContents(dynamo.client, tables.members.name);
  const post = () => invoke(shuffle, { method: "POST", resource: "/members" });
  const get = () => invoke(list, { method: "GET", resource: "/members" });

  // A fresh emulator per test: every test starts from an empty table.
  beforeEach(async () => {
    dynamo = await startTestDynamo({ TABLE_NAME: tables.members.name });
    await createTables(dynamo.client, [tables.members]);
    shuffle = shuffleMember();
    list = listMembers();
  });

  afterEach(async () => {
    await dynamo.close();
  });

  describe("POST /members", () => {
    it("stores a random friend's random mood and answers 201 with it", async () => {
      const reply = await post();
      assert.equal(reply.status, 201);
      assert.equal(reply.headers["Content-Type"], "application/json");
      assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
      const member = reply.body as Member;
      assert.deepEqual(Object.keys(member).sort(), ["name", "status"]);
      assert.ok(NAMES.includes(member.name), member.name);
      assert.ok(STATUSES.includes(member.status), member.status);
      assert.deepEqual(await contents(), [
        { name: { S: member.name }, status: { S: member.status } },
      ]);
    });

    it("overwrites a friend's mood, so the table never holds more than five items", async () => {
      const latest = new Map<string, string>();
      for (let i = 0; i < 60; i++) {
        const member = (await post()).body as Member;
        latest.set(member.name, member.status);
        assert.ok((await contents()).length <= 5);
      }
      const stored = (await contents()).map((item) => [item.name.S, item.status.S] as const);
      assert.deepEqual(new Map(stored), latest);
    });

    it("picks every name and every status", async () => {
      const names = new Set<string>();
      const statuses = new Set<string>();
      for (let i = 0; i < 150; i++) {
        const member = (await post()).body as Member;
        names.add(member.name);
        statuses.add(member.status);
      }
      assert.deepEqual([...names].sort(), NAMES);
      assert.deepEqual([...statuses].sort(), STATUSES);
    });

    it("answers another method with 405 and an Allow header", async () => {
      const reply = await invoke(shuffle, { method: "PUT", resource: "/members" });
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.Allow, "POST");
      assert.equal(errorOf(reply).code, "MethodNotAllowed");
      assert.deepEqual(await contents(), []);
    });
  });

  describe("GET /members", () => {
    it("answers an empty list before anyone has a mood", async () => {
      const reply = await get();
      assert.equal(reply.status, 200);
      assert.equal(reply.headers["Access-Control-Allow-Origin"], "*");
      assert.deepEqual(reply.body, { members: [] });
    });

    it("lists every stored mood, sorted by name", async () => {
      for (let i = 0; i < 40; i++) await post();
      const stored = (await contents()).map((item) => ({
        name: item.name.S ?? "",
        status: item.status.S ?? "",
      }));
      assert.ok(stored.length >= 1 && stored.length <= 5);
      const reply = await get();
      assert.equal(reply.status, 200);
      const { members } = reply.body as { members: Member[] };
      assert.deepEqual(
        members,
        [...stored].sort((a, b) => (a.name < b.name ? -1 : 1)),
      );
    });

    it("answers another method with 405 and an Allow header", async () => {
      const reply = await invoke(list, { method: "DELETE", resource: "/members" });
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.Allow, "GET");
    });
  });

  describe("server faults", () => {
    for (const [name, factory, method] of [
      ["shuffleMember", shuffleMember, "POST"],
      ["listMembers", listMembers, "GET"],
    ] as const) {
      it(`${name} answers 500 without internals and logs the request ids`, async () => {
        process.env.TABLE_NAME = "no-such-table";
        let handler: Handler;
        try {
          handler = factory();
        } finally {
          process.env.TABLE_NAME = tables.members.name;
        }
        const event = proxyEvent({ method, resource: "/members" });
        const context = lambdaContext();
        const { result, logged } = await capturingConsoleError(() => handler(event, context));
        assert.equal(result.statusCode, 500);
        assert.equal(
          result.body,
          '{"error":{"code":"InternalError","message":"Internal server error"}}',
        );
        assert.equal(logged.length, 1);
        assert.ok(String(logged[0][0]).includes(context.awsRequestId));
        assert.ok(String(logged[0][0]).includes(event.requestContext.requestId));
      });
    }
  });
});
