// Two loopback servers for the site test, on different ports so the browser really does CORS:
// one serves `site/` (plus a generated config.js) like the S3 website endpoint, the other plays
// API Gateway in front of the application's real route handlers, with the Cognito authorizer of
// the notes routes.
import { promises as fs } from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import mime from "mime";
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { siteConfigScript, type SiteRuntimeConfig } from "../../infra/siteConfig";
import { lambdaContext, proxyEvent } from "../support/events";

type ProxyHandler = (
  event: APIGatewayProxyEvent,
  context: Context,
) => Promise<APIGatewayProxyResult>;

/** The part of the application's route table this server needs. */
export interface ApiRoute {
  name: string;
  method: string;
  path: string;
  table: string;
  /** `owner`: behind the Cognito authorizer; `public`: anyone. */
  access: "owner" | "public";
  handler: () => ProxyHandler;
}

/** The claims of a valid ID token in an `Authorization` header, or why it is refused. */
export type Authorize = (
  authorization: string | undefined,
) => Promise<{ claims: Record<string, string> } | { refused: string }>;

export interface LocalServer {
  /** Origin plus, for the API, the stage: no trailing slash. */
  url: string;
  origin: string;
  close(): Promise<void>;
}

const PREFLIGHT_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET,POST,PUT,DELETE,OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type,Authorization",
};

/** A port free right now on loopback, for a server that takes its port from its environment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function listen(
  handler: http.RequestListener,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json", ...PREFLIGHT_HEADERS });
  res.end(JSON.stringify(body));
}

/** Path parameters when `segments` fit the `/a/{b}/c` template, else null. */
function matchTemplate(template: string, segments: string[]): Record<string, string> | null {
  const parts = template.split("/").filter(Boolean);
  if (parts.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const param = /^\{(\w+)\}$/.exec(parts[i]);
    if (param) params[param[1]] = decodeURIComponent(segments[i]);
    else if (parts[i] !== segments[i]) return null;
  }
  return params;
}

const literalCount = (template: string): number =>
  template.split("/").filter((p) => p && !p.startsWith("{")).length;

/**
 * API Gateway in miniature: `{url}/{stage}/...` runs the route's handler, each built once with
 * `TABLE_NAME` set to its table, as the Lambda function's environment would have it. An `owner`
 * route first passes `authorize` (its claims reach the handler as
 * `requestContext.authorizer.claims`) or answers 401, as the Cognito authorizer does.
 */
export async function startApiServer(options: {
  routes: readonly ApiRoute[];
  tableNames: Record<string, string>;
  stage: string;
  authorize: Authorize;
}): Promise<LocalServer> {
  const previousTableName = process.env.TABLE_NAME;
  const routes = options.routes
    .map((route) => {
      process.env.TABLE_NAME = options.tableNames[route.table];
      return { ...route, run: route.handler() };
    })
    // A literal segment wins over a parameter, as in API Gateway (`/notes/export` vs `/notes/{id}`).
    .sort((a, b) => literalCount(b.path) - literalCount(a.path));
  if (previousTableName === undefined) delete process.env.TABLE_NAME;
  else process.env.TABLE_NAME = previousTableName;

  const stagePrefix = `/${options.stage}`;
  const server = await listen((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://localhost");
      const method = req.method ?? "GET";
      if (!url.pathname.startsWith(`${stagePrefix}/`)) {
        sendJson(res, 403, { message: "Forbidden" });
        return;
      }
      if (method === "OPTIONS") {
        res.writeHead(204, PREFLIGHT_HEADERS);
        res.end();
        return;
      }
      const segments = url.pathname.slice(stagePrefix.length).split("/").filter(Boolean);
      const matches = routes.flatMap((route) => {
        const params = matchTemplate(route.path, segments);
        return params ? [{ route, params }] : [];
      });
      if (matches.length === 0) {
        return sendJson(res, 404, { error: { code: "NotFound", message: "No such route" } });
      }
      const match = matches.find(
        (m) => m.route.method === method && m.route.path === matches[0].route.path,
      );
      if (!match) {
        sendJson(res, 405, { error: { code: "MethodNotAllowed", message: "Method not allowed" } });
        return;
      }
      let claims: Record<string, string> | undefined;
      if (match.route.access === "owner") {
        const checked = await options.authorize(req.headers.authorization);
        if ("refused" in checked) {
          sendJson(res, 401, { error: { code: "Unauthorized", message: "Unauthorized" } });
          return;
        }
        claims = checked.claims;
      }
      const headers: Record<string, string> = {};
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        headers[req.rawHeaders[i]] = req.rawHeaders[i + 1];
      const body = await readBody(req);
      const event = proxyEvent({
        method,
        resource: match.route.path,
        pathParameters: match.params,
        query: Object.fromEntries(url.searchParams),
        headers,
        body: body === "" ? undefined : body,
        stage: options.stage,
        caller: null,
      });
      if (claims) event.requestContext.authorizer = { claims };
      const result = await match.route.run(event, lambdaContext(match.route.name));
      for (const [name, value] of Object.entries(result.headers ?? {})) {
        res.setHeader(name, String(value));
      }
      for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
        res.setHeader(name, values.map(String));
      }
      res.statusCode = result.statusCode;
      res.end(
        result.body
          ? Buffer.from(result.body, result.isBase64Encoded ? "base64" : "utf8")
          : undefined,
      );
    })().catch((err: unknown) => {
      console.error("site test API server:", err);
      if (!res.headersSent) sendJson(res, 502, { message: "Internal server error" });
      else res.end();
    });
  });
  return { url: `${server.origin}${stagePrefix}`, origin: server.origin, close: server.close };
}

/**
 * The S3 website endpoint in miniature: files of `siteDir` with their content types, `/` as
 * `index.html`, `error.html` with a 404 for anything else, and config.js from `config()`
 * (null: a config.js that sets nothing, as if the deployment forgot it).
 */
export async function startSiteServer(options: {
  siteDir: string;
  config: () => SiteRuntimeConfig | null;
}): Promise<LocalServer> {
  const root = path.resolve(options.siteDir);
  const server = await listen((req, res) => {
    void (async () => {
      const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
      let status = 200;
      let type = "text/javascript; charset=utf-8";
      let body: string | Buffer;
      if (pathname === "/config.js") {
        const config = options.config();
        body = config ? siteConfigScript(config) : "// not configured\n";
      } else {
        const file = path.join(root, pathname === "/" ? "index.html" : pathname);
        const inside = file.startsWith(root + path.sep);
        const content = inside ? await fs.readFile(file).catch(() => null) : null;
        if (content) {
          type = mime.getType(file) ?? "application/octet-stream";
          body = content;
        } else {
          status = 404;
          type = "text/html";
          body = await fs.readFile(path.join(root, "error.html"));
        }
      }
      res.writeHead(status, { "Content-Type": type });
      res.end(body);
    })().catch((err: unknown) => {
      res.writeHead(500);
      res.end(String(err));
    });
  });
  return { url: server.origin, origin: server.origin, close: server.close };
}
