import assert from "node:assert/strict";
import type { BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BATCH_SIZE, backoffMs, putAll } from "../../app/batchWrite";

const POLICY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 };

/** A client whose BatchWriteItem hands back `handBack(call, size)` requests of each call. */
function fakeClient(handBack: (call: number, size: number) => number) {
  const calls: string[][] = [];
  const client = {
    send: async (command: BatchWriteItemCommand) => {
      const writes = command.input.RequestItems?.Notes ?? [];
      calls.push(writes.map((w) => String(w.PutRequest?.Item?.NoteId.S)));
      const back = handBack(calls.length, writes.length);
      return { UnprocessedItems: back ? { Notes: writes.slice(writes.length - back) } : {} };
    },
  };
  return { client: client as unknown as DynamoDBClient, calls };
}

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ NoteId: { S: `n${i}` } }));

describe("putAll", () => {
  it("writes 25 items per BatchWriteItem, in order", async () => {
    const { client, calls } = fakeClient(() => 0);
    await putAll(client, "Notes", items(60), POLICY);
    assert.equal(BATCH_SIZE, 25);
    assert.deepEqual(
      calls.map((c) => c.length),
      [25, 25, 10],
    );
    assert.deepEqual(
      calls.flat(),
      items(60).map((i) => i.NoteId.S),
    );
  });

  it("sends the unprocessed items again, and only those, until none are left", async () => {
    const { client, calls } = fakeClient((call, size) => (call <= 2 ? size - 1 : 0));
    await putAll(client, "Notes", items(3), POLICY);
    assert.deepEqual(calls, [["n0", "n1", "n2"], ["n1", "n2"], ["n2"]]);
  });

  it("fails, naming the items, when some are still unprocessed after the last attempt", async () => {
    const { client, calls } = fakeClient((call, size) => (call === 1 ? 0 : size));
    await assert.rejects(
      putAll(client, "Notes", items(30), POLICY),
      /BatchWriteItem left 5 of items 26-30 unprocessed after 4 attempts/,
    );
    assert.equal(calls.length, 1 + POLICY.maxAttempts);
  });

  it("waits a random time below a ceiling that doubles with each retry, up to the largest", () => {
    const policy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 };
    const ceilings = [1, 2, 3, 4, 5, 6, 7].map((retry) => backoffMs(retry, policy, () => 0.999999));
    assert.deepEqual(ceilings, [49, 99, 199, 399, 799, 1599, 1999]);
    assert.equal(
      backoffMs(3, policy, () => 0),
      0,
    );
    const drawn = new Set(Array.from({ length: 50 }, () => backoffMs(5, policy)));
    assert.ok(drawn.size > 10, "jitter spreads the waits");
    for (const ms of drawn) assert.ok(ms >= 0 && ms < 800, String(ms));
  });
});
