// Fronts for the DynamoDB emulator that throttle as DynamoDB does under load: one stores only part
// of a BatchWriteItem and answers with the rest as UnprocessedItems, the other refuses chosen
// calls with ProvisionedThroughputExceededException. Every other call passes through unchanged.
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface ThrottledDynamo {
  endpoint: string;
  /** How many write requests each BatchWriteItem carried, in order. */
  batches: number[];
  close(): Promise<void>;
}

/** How many of the `size` requests of the `call`-th BatchWriteItem (from 1) to hand back. */
export type HandBack = (call: number, size: number) => number;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function readBody(stream: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

function forward(target: URL, req: http.IncomingMessage, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host, "content-length": String(body.length) },
      },
      (res) => {
        readBody(res).then(
          (b) => resolve({ status: res.statusCode ?? 500, headers: res.headers, body: b }),
          reject,
        );
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}

export async function startThrottledDynamo(
  targetEndpoint: string,
  handBack: HandBack,
): Promise<ThrottledDynamo> {
  const target = new URL(targetEndpoint);
  const batches: number[] = [];

  async function answer(req: http.IncomingMessage): Promise<Answer> {
    const body = await readBody(req);
    if (!String(req.headers["x-amz-target"] ?? "").endsWith(".BatchWriteItem")) {
      return forward(target, req, body);
    }
    const request = JSON.parse(body.toString("utf8")) as {
      RequestItems: Record<string, unknown[]>;
    };
    const [table, writes] = Object.entries(request.RequestItems)[0];
    batches.push(writes.length);
    const kept = writes.length - Math.min(writes.length, handBack(batches.length, writes.length));
    const unprocessed = writes.slice(kept);
    let stored: Answer = {
      status: 200,
      headers: { "content-type": "application/x-amz-json-1.0" },
      body: Buffer.from(JSON.stringify({ UnprocessedItems: {} })),
    };
    if (kept > 0) {
      const partial = { ...request, RequestItems: { [table]: writes.slice(0, kept) } };
      stored = await forward(target, req, Buffer.from(JSON.stringify(partial)));
      if (stored.status !== 200) return stored;
    }
    const result = JSON.parse(stored.body.toString("utf8")) as Record<string, unknown>;
    if (unprocessed.length > 0) result.UnprocessedItems = { [table]: unprocessed };
    return { ...stored, body: Buffer.from(JSON.stringify(result)) };
  }

  const server = http.createServer((req, res) => {
    answer(req).then(
      ({ status, headers, body }) => {
        const out: http.OutgoingHttpHeaders = { ...headers, "content-length": String(body.length) };
        delete out["transfer-encoding"];
        // The body may have changed, and the SDK checks DynamoDB's CRC32 of it when present.
        delete out["x-amz-crc32"];
        res.writeHead(status, out);
        res.end(body);
      },
      (error: unknown) => {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: "InternalServerError", message: String(error) }));
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    batches,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface RefusingDynamo {
  endpoint: string;
  /** Every call's operation (`Scan`, `Query`, …) and whether it was refused, in order. */
  calls: { operation: string; refused: boolean }[];
  close(): Promise<void>;
}

/**
 * A front for the DynamoDB emulator that answers a call with DynamoDB's throttling error
 * (`ProvisionedThroughputExceededException`, HTTP 400) where `refuse` says so: `call` counts the
 * calls of that operation, from 1. Every other call passes through unchanged.
 */
export async function startRefusingDynamo(
  targetEndpoint: string,
  refuse: (operation: string, call: number) => boolean,
): Promise<RefusingDynamo> {
  const target = new URL(targetEndpoint);
  const calls: RefusingDynamo["calls"] = [];
  const counts = new Map<string, number>();
  const server = http.createServer((req, res) => {
    readBody(req)
      .then(async (body) => {
        const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
        const call = (counts.get(operation) ?? 0) + 1;
        counts.set(operation, call);
        const refused = refuse(operation, call);
        calls.push({ operation, refused });
        if (refused) {
          const throttled = JSON.stringify({
            __type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            message: "The level of configured provisioned throughput for the table was exceeded.",
          });
          res.writeHead(400, { "content-type": "application/x-amz-json-1.0" });
          res.end(throttled);
          return;
        }
        const { status, headers, body: answer } = await forward(target, req, body);
        const out: http.OutgoingHttpHeaders = {
          ...headers,
          "content-length": String(answer.length),
        };
        delete out["transfer-encoding"];
        res.writeHead(status, out);
        res.end(answer);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
        res.end(JSON.stringify({ __type: "InternalServerError", message: String(error) }));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
