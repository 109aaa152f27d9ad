// How `npm run invoke` and `npm run schedule` reach a running `npm start` of a stack: it serves
// its control on a loopback port and writes the port and a random token to
// `.local/<stack>/control.json` (readable by its owner only), removed when it stops. A command
// that finds no live control file stands the stack up itself for the one call.
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { ExecutionResult } from "./stepFunctions";
import type { InvokeOutcome } from "./lambdaRuntime";
import { listen } from "./listen";

export interface StackContext {
  stack: string;
  region: string;
  account: string;
  /** The dev stack's demo user, whose claims the notes routes' sample events carry. */
  demoUserSub?: string;
  outputs: Record<string, unknown>;
  functions: string[];
  scheduledRules: string[];
}

/** A function's invocation, or a state machine's execution (run to its end). */
export type Invocation =
  | { kind: "function"; functionName: string; outcome: InvokeOutcome }
  | { kind: "execution"; stateMachine: string; executionArn: string; result: ExecutionResult };

export type FiredTarget = { rule: string; target: string } & (
  | { kind: "execution"; executionArn: string; result: ExecutionResult }
  | { kind: "invocation"; functionName: string; outcome: InvokeOutcome }
  | { kind: "refused"; reason: string }
);

/** What a command may ask of a running stack. */
export interface StackControl {
  context(): Promise<StackContext>;
  /**
   * Runs a declared function, or an execution of a declared state machine, by its name or its
   * name without the stack's prefix.
   */
  invoke(name: string, event: unknown): Promise<Invocation>;
  /** Fires a scheduled rule now and waits for what it started to end. */
  fire(rule: string): Promise<FiredTarget[]>;
}

/** A request the stack refuses: an unknown name (404) or an event it cannot take (413). */
export class ControlRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface ControlFile {
  pid: number;
  url: string;
  token: string;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Serves `control` on loopback and writes `file`; `close` stops it and removes the file. */
export async function serveControl(
  control: StackControl,
  file: string,
): Promise<{ close(): Promise<void> }> {
  const token = randomBytes(24).toString("hex");
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, {
        "Content-Type": "application/json",
        "Content-Length": Buffer.byteLength(text),
      });
      res.end(text);
    };
    if (req.headers.authorization !== `Bearer ${token}`) {
      reply(401, { error: "not this stack's control token" });
      return;
    }
    void (async () => {
      const request =
        req.method === "POST" ? (JSON.parse(await readBody(req)) as Record<string, unknown>) : {};
      if (req.url === "/context") return control.context();
      if (req.url === "/invoke") return control.invoke(String(request.function), request.event);
      if (req.url === "/fire") return control.fire(String(request.rule));
      throw new ControlRefusal(404, `no ${req.url}`);
    })().then(
      (body) => reply(200, body),
      (error: unknown) =>
        reply(error instanceof ControlRefusal ? error.status : 500, {
          error: error instanceof Error ? error.message : String(error),
        }),
    );
  });
  const listening = await listen(server, "127.0.0.1", 0);
  const contents: ControlFile = { pid: process.pid, url: listening.url, token };
  fs.writeFileSync(file, JSON.stringify(contents), { mode: 0o600 });
  return {
    close: async () => {
      fs.rmSync(file, { force: true });
      await listening.close();
    },
  };
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** The control of the stack whose control file this is, or undefined when none is running. */
export function connectControl(file: string): StackControl | undefined {
  let found: ControlFile;
  try {
    found = JSON.parse(fs.readFileSync(file, "utf8")) as ControlFile;
  } catch {
    return undefined;
  }
  if (!alive(found.pid)) return undefined;
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${found.url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${found.token}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as { error?: string };
    if (!response.ok) throw new ControlRefusal(response.status, String(answer.error));
    return answer;
  };
  return {
    context: async () => (await call("/context")) as StackContext,
    invoke: async (name, event) =>
      (await call("/invoke", { function: name, event: event ?? null })) as Invocation,
    fire: async (rule) => (await call("/fire", { rule })) as FiredTarget[],
  };
}
