// A DynamoDB emulator on loopback for tests and local runs: dynalite, behind a thin front that
// adds the DynamoDB behaviour dynalite lacks and that the handlers rely on.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

export interface DynamoEmulatorOptions {
  /** Folder for the LevelDB store; in memory when absent. */
  dataDir?: string;
  /** Port for the front server; 0 picks a free one. */
  port?: number;
  host?: string;
}

export interface DynamoEmulator {
  /** The endpoint clients use (`AWS_ENDPOINT_URL_DYNAMODB`). */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const TARGET_PREFIX = "DynamoDB_20120810.";
// Writes whose failed condition can return the item as it was (DynamoDB does; dynalite does not).
const CONDITIONAL_WRITES = new Set(["PutItem", "UpdateItem", "DeleteItem"]);

interface Upstream {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function forward(
  port: number,
  method: string,
  headers: http.IncomingHttpHeaders,
  body: Buffer,
): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path: "/",
        headers: { ...headers, "content-length": String(body.length) },
      },
      (res) => {
        readBody(res).then(
          (b) => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: b }),
          reject,
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD` puts the current item into a
 * `ConditionalCheckFailedException`, so a handler can tell "absent" from "changed" without a
 * second permission. The front reads the item and adds it, as DynamoDB does.
 */
async function withOldItem(
  dynalitePort: number,
  headers: http.IncomingHttpHeaders,
  request: { TableName?: string; Key?: unknown; Item?: Record<string, unknown> },
  failure: Upstream,
  keyNames: (table: string) => Promise<string[]>,
): Promise<Upstream> {
  const table = request.TableName ?? "";
  let key = request.Key;
  if (!key && request.Item) {
    const names = await keyNames(table);
    key = Object.fromEntries(names.map((n) => [n, request.Item?.[n]]));
  }
  const got = await forward(
    dynalitePort,
    "POST",
    { ...headers, "x-amz-target": `${TARGET_PREFIX}GetItem` },
    Buffer.from(JSON.stringify({ TableName: table, Key: key, ConsistentRead: true })),
  );
  if (got.status !== 200) return failure;
  const item = (JSON.parse(got.body.toString("utf8")) as { Item?: unknown }).Item;
  if (!item) return failure;
  const error = JSON.parse(failure.body.toString("utf8")) as Record<string, unknown>;
  return { ...failure, body: Buffer.from(JSON.stringify({ ...error, Item: item })) };
}

export async function startDynamoEmulator(
  options: DynamoEmulatorOptions = {},
): Promise<DynamoEmulator> {
  const host = options.host ?? "127.0.0.1";
  const backend = dynalite({
    path: options.dataDir,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  const dynalitePort = await listen(backend, 0, "127.0.0.1");

  const keyCache = new Map<string, string[]>();
  const keyNames = async (table: string, headers: http.IncomingHttpHeaders): Promise<string[]> => {
    const cached = keyCache.get(table);
    if (cached) return cached;
    const described = await forward(
      dynalitePort,
      "POST",
      { ...headers, "x-amz-target": `${TARGET_PREFIX}DescribeTable` },
      Buffer.from(JSON.stringify({ TableName: table })),
    );
    const schema = (
      JSON.parse(described.body.toString("utf8")) as {
        Table?: { KeySchema?: { AttributeName: string }[] };
      }
    ).Table?.KeySchema;
    const names = (schema ?? []).map((k) => k.AttributeName);
    keyCache.set(table, names);
    return names;
  };

  const front = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : "";
      let upstream = await forward(dynalitePort, req.method ?? "POST", req.headers, body);
      if (
        upstream.status === 400 &&
        CONDITIONAL_WRITES.has(operation) &&
        upstream.body.includes("ConditionalCheckFailedException")
      ) {
        const request = JSON.parse(body.toString("utf8")) as {
          TableName?: string;
          Key?: unknown;
          Item?: Record<string, unknown>;
          ReturnValuesOnConditionCheckFailure?: string;
        };
        if (request.ReturnValuesOnConditionCheckFailure === "ALL_OLD") {
          upstream = await withOldItem(dynalitePort, req.headers, request, upstream, (t) =>
            keyNames(t, req.headers),
          );
        }
      }
      const headers = { ...upstream.headers, "content-length": String(upstream.body.length) };
      delete headers["transfer-encoding"];
      res.writeHead(upstream.status, headers);
      res.end(upstream.body);
    })().catch((err: unknown) => {
      res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
      res.end(
        JSON.stringify({
          __type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
          message: String(err),
        }),
      );
    });
  });
  const port = await listen(front, options.port ?? 0, host);

  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    },
  };
}
