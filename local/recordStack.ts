// Runs the program for one stack in its own process (local/record.ts) and returns what it
// declared. A program error is returned in `error`, not thrown.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./stackConfig";

const run = promisify(execFile);

export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  /** The id the mocks gave a custom resource. */
  id?: string;
  /** `type::name` of the parent resource; absent for the stack itself. */
  parent?: string;
  /** The provider reference (`urn::id`) of a custom resource. */
  provider?: string;
  protect: boolean;
  /** `type::name` of each explicit `dependsOn`. */
  dependsOn: string[];
  inputs: Record<string, unknown>;
  /** What the mocks answered (ids, ARNs, generated names). */
  state: Record<string, unknown>;
}

export interface RecordedStack {
  stack: string;
  config: Record<string, string>;
  resources: RecordedResource[];
  outputs: Record<string, unknown>;
  error?: string;
}
export interface RecordOptions {
  /** Config values to set (`serverless-notes:logRetentionDays` → `"-1"`). */
  set?: Record<string, string>;
  unset?: string[];
  /** Local addresses the mocks answer for the API stage and the website endpoint. */
  local?: { apiBase: string; siteHost: string };
}

export async function recordStack(
  stack: string,
  options: RecordOptions = {},
): Promise<RecordedStack> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "stack-")), "graph.json");
  const args = ["-r", path.join(__dirname, "transpileCache.js"), path.join(__dirname, "record.ts")];
  args.push("--stack", stack, "--out", out);
  for (const [k, v] of Object.entries(options.set ?? {})) args.push("--set", `${k}=${v}`);
  for (const k of options.unset ?? []) args.push("--unset", k);
  if (options.local)
    args.push("--api-base", options.local.apiBase, "--site-host", options.local.siteHost);
  try {
    await run(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_NO_WARNINGS: "1" },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    if (!fs.existsSync(out)) throw err;
  }
  try {
    return JSON.parse(fs.readFileSync(out, "utf8")) as RecordedStack;
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}
