// The load bench's floor: the application's own route handlers called in this process, with the
// proxy events API Gateway would send them, against a dynalite of their own with its data on disk
// as the local stack's is. No HTTP in front, no worker process, no IAM front: what is left is the
// handlers, the SDK and dynalite, the least any local stack can cost.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { routes } from "../app/routes";
import { startDynamoEmulator } from "../local/dynamodb";
import type { LocalApp } from "../local/model";
import { ensureTables } from "../local/tables";
import { lambdaContext, proxyEvent } from "../tests/support/events";
import type { Call, Caller, Operation } from "./load";

export interface Floor {
  call: Call;
  /** Creates a note of `caller`'s; its id. */
  create(caller: Caller, text: string): Promise<string>;
  close(): Promise<void>;
}

type Run = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

const ROUTE_OF: Record<Operation, string> = {
  get: "getNote",
  list: "listNotes",
  create: "createNote",
};

/**
 * The handlers as each function's container would make them, each reading its `TABLE_NAME` once
 * as at a cold start. The SDK reads region, endpoint and credentials from the environment when a
 * call is made, so those stay set in this (bench-only) process.
 */
function makeHandlers(app: LocalApp, endpoint: string): Record<Operation, Run> {
  Object.assign(process.env, {
    AWS_REGION: app.region,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_ACCESS_KEY_ID: "floor",
    AWS_SECRET_ACCESS_KEY: "floor",
  });
  const make = (op: Operation): Run => {
    const route = routes.find((r) => r.name === ROUTE_OF[op]);
    const fn = app.functions.find((f) => route && f.name.endsWith(`-${route.name}`));
    if (!route || !fn?.environment.TABLE_NAME) throw new Error(`no function ${ROUTE_OF[op]}`);
    process.env.TABLE_NAME = fn.environment.TABLE_NAME;
    try {
      return route.handler() as Run;
    } finally {
      delete process.env.TABLE_NAME;
    }
  };
  return { get: make("get"), list: make("list"), create: make("create") };
}

function eventFor(op: Operation, caller: Caller, n: number, text: string): APIGatewayProxyEvent {
  const userId = caller.userId;
  if (op === "get") {
    const noteId = caller.noteIds[n % caller.noteIds.length];
    return proxyEvent({
      method: "GET",
      resource: "/users/{userId}/notes/{noteId}",
      pathParameters: { userId, noteId },
    });
  }
  return op === "list"
    ? proxyEvent({
        method: "GET",
        resource: "/users/{userId}/notes",
        pathParameters: { userId },
        query: { limit: "20" },
      })
    : proxyEvent({
        method: "POST",
        resource: "/users/{userId}/notes",
        pathParameters: { userId },
        body: { note: text },
      });
}

export async function startFloor(app: LocalApp, dataDir: string): Promise<Floor> {
  const dynamo = await startDynamoEmulator({ dataDir });
  const admin = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: app.region,
    credentials: { accessKeyId: "floor", secretAccessKey: "floor" },
  });
  await ensureTables(admin, app.tables);
  admin.destroy();
  const handlers = makeHandlers(app, dynamo.endpoint);
  const call: Call = async (op, caller, n) => {
    const event = eventFor(op, caller, n, `note ${n} of ${caller.userId}`);
    const result = await handlers[op](event, lambdaContext());
    return result.statusCode;
  };
  return {
    call,
    async create(caller, text) {
      const result = await handlers.create(eventFor("create", caller, 0, text), lambdaContext());
      if (result.statusCode !== 201) throw new Error(`seeding the floor: ${result.statusCode}`);
      return (JSON.parse(result.body) as { noteId: string }).noteId;
    },
    close: () => dynamo.close(),
  };
}
