// A DynamoDB emulator on loopback for tests and local runs: dynalite, behind a thin front that
// adds the DynamoDB behaviour dynalite lacks and that the handlers rely on, and (when asked)
// refuses each call the caller's IAM identity may not make, as DynamoDB does.
import { EventEmitter } from "node:events";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import dynalite from "dynalite";
import { parseAuthorization, signatureMatches } from "./sigv4";

export interface DynamoEmulatorOptions {
  /** Folder for the LevelDB store; in memory when absent. */
  dataDir?: string;
  /** Port for the front server; 0 picks a free one. */
  port?: number;
  host?: string;
  /**
   * Decides each call before it reaches the store, once per table it touches; every one must be
   * allowed. Without it, every call is allowed and signatures are not read.
   */
  authorize?: (request: AuthorizationRequest) => AuthorizationResult;
  /**
   * The secret access key of each caller; with `authorize`, every call's SigV4 signature is
   * verified with it before the call is attributed to its access key id (an id alone is only a
   * claim anything can send). An unknown id is refused, as AWS refuses one.
   */
  secretOf?: (accessKeyId: string) => string | undefined;
}

export interface AuthorizationRequest {
  /** The access key id of the call's SigV4 credential scope. */
  accessKeyId: string;
  /** The IAM action, e.g. `dynamodb:Query`. */
  action: string;
  /** Absent for calls on no table, such as `ListTables`. */
  tableName?: string;
}

export type AuthorizationResult = { allowed: true } | { allowed: false; message: string };

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

/** An error answered by the front itself, in DynamoDB's JSON protocol. */
function refusal(type: string, message?: Record<string, string>): Upstream {
  return {
    status: 400,
    headers: { "content-type": "application/x-amz-json-1.0" },
    body: Buffer.from(JSON.stringify({ __type: `com.amazon.coral.service#${type}`, ...message })),
  };
}

/** The tables a call touches, as IAM authorises them: every table of a batch, one at a time. */
function tablesOf(operation: string, request: Record<string, unknown>): (string | undefined)[] {
  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    const items = request.RequestItems;
    const names = items && typeof items === "object" ? Object.keys(items) : [];
    return names.length > 0 ? names : [undefined];
  }
  if (typeof request.TableName === "string") return [request.TableName];
  // Tagging calls name the table by ARN.
  const arn = typeof request.ResourceArn === "string" ? request.ResourceArn : "";
  return [/^arn:[^:]+:dynamodb:[^:]*:[^:]*:table\/([^/]+)$/.exec(arn)?.[1]];
}

/**
 * The refusal for a call its caller may not make, or undefined to let it through. A call the
 * front cannot attribute to an access key, operation and tables never reaches the store.
 */
async function authorization(
  authorize: NonNullable<DynamoEmulatorOptions["authorize"]>,
  secretOf: NonNullable<DynamoEmulatorOptions["secretOf"]>,
  req: http.IncomingMessage,
  body: Buffer,
): Promise<Upstream | undefined> {
  const headers = req.headers;
  const header = headers.authorization ?? "";
  if (!header.trim().startsWith("AWS4-")) {
    return refusal("MissingAuthenticationTokenException", {
      message: "Request is missing Authentication Token",
    });
  }
  const signature = parseAuthorization(header.trim());
  if (!signature) {
    return refusal("IncompleteSignatureException", {
      message: `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term. Authorization=${header}`,
    });
  }
  // DynamoDB's answers for an unknown key and for a signature made with another secret.
  const { accessKeyId } = signature;
  const secret = secretOf(accessKeyId);
  if (secret === undefined) {
    return refusal("UnrecognizedClientException", {
      message: "The security token included in the request is invalid.",
    });
  }
  const signed = { method: req.method ?? "POST", url: req.url ?? "/", headers, body };
  if (!(await signatureMatches(signed, signature, secret))) {
    return refusal("InvalidSignatureException", {
      message:
        "The request signature we calculated does not match the signature you provided. " +
        "Check your AWS Secret Access Key and signing method. " +
        "Consult the service documentation for details.",
    });
  }
  const target = String(headers["x-amz-target"] ?? "");
  if (!target.startsWith(TARGET_PREFIX)) return refusal("UnknownOperationException");
  const operation = target.slice(TARGET_PREFIX.length);
  let request: unknown;
  try {
    request = JSON.parse(body.toString("utf8"));
  } catch {
    return refusal("SerializationException");
  }
  const fields = request && typeof request === "object" ? (request as Record<string, unknown>) : {};
  const action = `dynamodb:${operation}`;
  for (const tableName of tablesOf(operation, fields)) {
    const result = authorize(
      tableName === undefined ? { accessKeyId, action } : { accessKeyId, action, tableName },
    );
    if (!result.allowed) {
      return refusal("AccessDeniedException", { Message: result.message });
    }
  }
  return undefined;
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

/** Sends one request to the store and resolves with its answer. */
type Store = (method: string, headers: http.IncomingHttpHeaders, body: Buffer) => Promise<Upstream>;

/**
 * dynalite's own request handler, called in this process: the front has the whole request in
 * hand, so a second HTTP hop to dynalite's port (a socket, a parse, a write each way) would only
 * cost time; the bench's profile put that hop at about a sixth of the front's process. The
 * handler is what dynalite passes to `http.createServer`, and it uses only `headers`, `method`,
 * `url`, the `data`/`end` events and `removeAllListeners` of the request and `statusCode`,
 * `setHeader` and `end` of the response (dynalite 4.0.0, index.js `httpHandler`), which these
 * stand-ins provide; every DynamoDB test runs through them.
 */
function inProcessStore(backend: http.Server): Store {
  const [handler] = backend.listeners("request") as http.RequestListener[];
  if (!handler) throw new Error("dynalite's server has no request handler");
  return (method, headers, body) =>
    new Promise((resolve, reject) => {
      const req = Object.assign(new EventEmitter(), { method, url: "/", headers });
      const answer: http.OutgoingHttpHeaders = {};
      const res = {
        statusCode: 200,
        contentType: undefined as string | undefined,
        setHeader(name: string, value: string | number) {
          answer[name.toLowerCase()] = value;
        },
        end(chunk?: string | Buffer) {
          const payload = chunk === undefined ? Buffer.alloc(0) : Buffer.from(chunk);
          resolve({
            status: res.statusCode,
            headers: answer as http.IncomingHttpHeaders,
            body: payload,
          });
        },
      };
      try {
        handler(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse);
      } catch (error) {
        reject(error);
        return;
      }
      process.nextTick(() => {
        if (body.length > 0) req.emit("data", body);
        req.emit("end");
      });
    });
}

/**
 * `ReturnValuesOnConditionCheckFailure: ALL_OLD` puts the current item into a
 * `ConditionalCheckFailedException`, so a handler can tell "absent" from "changed" without a
 * second permission. The front reads the item and adds it, as DynamoDB does.
 */
async function withOldItem(
  store: Store,
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
  const got = await store(
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
  const { authorize, secretOf } = options;
  if (authorize && !secretOf) {
    throw new Error("startDynamoEmulator: authorize needs secretOf to verify who is calling");
  }
  const refusalFor =
    authorize && secretOf
      ? (req: http.IncomingMessage, body: Buffer) => authorization(authorize, secretOf, req, body)
      : undefined;
  const backend = dynalite({
    path: options.dataDir,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  // Listening only so that dynalite's close() (which closes its server first) closes the store.
  await listen(backend, 0, "127.0.0.1");
  const store = inProcessStore(backend);

  const keyCache = new Map<string, string[]>();
  const keyNames = async (table: string, headers: http.IncomingHttpHeaders): Promise<string[]> => {
    const cached = keyCache.get(table);
    if (cached) return cached;
    const described = await store(
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
      // Only a POST reaches the store; GET is the health check, OPTIONS the CORS preflight.
      const refused = refusalFor && req.method === "POST" ? await refusalFor(req, body) : undefined;
      let upstream = refused ?? (await store(req.method ?? "POST", req.headers, body));
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
          upstream = await withOldItem(store, req.headers, request, upstream, (t) =>
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
