// What a reload of `npm start` replaces: the running stack's model beside the program's new
// one, compared part by part, so only what changed is stood up again and the data is kept.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { entrySource } from "./lambdaArchive";
import type { AssetMap } from "./lambdaArchive";
import type { LocalApp, LocalFunction, LocalObject } from "./model";

export interface ReloadPlan {
  /** Functions to start (new) or start again (archive, handler, environment, limits changed). */
  functionsStarted: string[];
  /** Functions the program no longer declares. */
  functionsRemoved: string[];
  /** Functions whose role's statements changed: swapped in place, workers kept. */
  policies: string[];
  routes: boolean;
  /** Site object keys added, changed or removed. */
  siteObjects: string[];
  tablesAdded: string[];
  /** Buckets the program now declares that the stack did not have. */
  bucketsAdded: string[];
  /** Whether any bucket or the objects the program uploads into one changed. */
  buckets: boolean;
  rules: boolean;
  stateMachines: boolean;
  /** What a reload cannot change in place: said, so the user knows to restart. */
  needsRestart: string[];
}

/** Hashes each file under a path, so an archive entry given by path changes when its files do. */
function hashPath(hash: ReturnType<typeof createHash>, source: string): void {
  const stat = fs.statSync(source);
  if (!stat.isDirectory()) {
    hash.update(fs.readFileSync(source));
    return;
  }
  for (const name of fs.readdirSync(source).sort()) {
    hash.update(`\0${name}\0`);
    hashPath(hash, path.join(source, name));
  }
}

/** The archive's contents as a hash: inline text, and the files entries name by path. */
export function archiveHash(assets: AssetMap, root: string): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(assets).sort()) {
    const entry = assets[name];
    hash.update(`\0${name}\0${JSON.stringify(entry)}\0`);
    const source = entrySource(entry, root);
    if (source !== undefined) hashPath(hash, source);
  }
  return hash.digest("hex");
}

/** Everything a function's execution environment is started from. */
export function workerKey(fn: LocalFunction, root: string): string {
  const { handler, environment, runtime, memoryMb, timeoutSeconds } = fn;
  return canonical({
    archive: archiveHash(fn.archive, root),
    handler,
    environment,
    runtime,
    memoryMb,
    timeoutSeconds,
  });
}

/**
 * A value's JSON with object keys sorted and arrays in a fixed order: two recordings of the same
 * program may register resources (permissions, methods) in another order, which changes nothing.
 */
function canonical(value: unknown): string {
  if (Buffer.isBuffer(value))
    return JSON.stringify(createHash("sha256").update(value).digest("hex"));
  if (Array.isArray(value)) return `[${value.map(canonical).sort().join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

const objectKey = (o: LocalObject) =>
  canonical({ body: o.body, contentType: o.contentType, cacheControl: o.cacheControl });

function changedObjects(before: LocalApp, after: LocalApp): string[] {
  const old = new Map(before.site.objects.map((o) => [o.key, objectKey(o)]));
  const now = new Map(after.site.objects.map((o) => [o.key, objectKey(o)]));
  const keys = new Set([...old.keys(), ...now.keys()]);
  return [...keys].filter((k) => old.get(k) !== now.get(k)).sort();
}

/**
 * Compares the running model with the new one. `workerKeys` holds each running function's
 * `workerKey`, computed when it started (its archive's files may have changed since).
 */
export function planReload(
  before: LocalApp,
  after: LocalApp,
  workerKeys: Map<string, string>,
  root: string,
): ReloadPlan {
  const previous = new Map(before.functions.map((f) => [f.name, f]));
  const names = new Set(after.functions.map((f) => f.name));
  const needsRestart: string[] = [];
  if (!same(before.userPools, after.userPools)) needsRestart.push("the user pool");
  if (before.site.hosting !== after.site.hosting) needsRestart.push("the site's hosting");
  if (before.region !== after.region) needsRestart.push("the region");
  const existingTables = new Set(before.tables.map((t) => t.name));
  const existingBuckets = new Set(before.buckets.map((b) => b.name));
  return {
    functionsStarted: after.functions
      .filter((f) => workerKeys.get(f.name) !== workerKey(f, root))
      .map((f) => f.name),
    functionsRemoved: before.functions.filter((f) => !names.has(f.name)).map((f) => f.name),
    policies: after.functions
      .filter((f) => {
        const was = previous.get(f.name);
        return was !== undefined && !same(was.statements, f.statements);
      })
      .map((f) => f.name),
    routes: !same(before.api, after.api),
    siteObjects: changedObjects(before, after),
    tablesAdded: after.tables.filter((t) => !existingTables.has(t.name)).map((t) => t.name),
    bucketsAdded: after.buckets.filter((b) => !existingBuckets.has(b.name)).map((b) => b.name),
    buckets: !same(before.buckets, after.buckets),
    rules: !same([before.rules, before.permissions], [after.rules, after.permissions]),
    stateMachines: !same(before.stateMachines, after.stateMachines),
    needsRestart,
  };
}

/** Each part's short name, as the one line after a reload says them. */
export function describePlan(plan: ReloadPlan, shortName: (name: string) => string): string {
  const list = (names: string[]) => names.map(shortName).join(", ");
  const parts = [
    plan.functionsStarted.length ? `functions ${list(plan.functionsStarted)}` : "",
    plan.functionsRemoved.length ? `functions removed ${list(plan.functionsRemoved)}` : "",
    plan.policies.length ? `policies ${list(plan.policies)}` : "",
    plan.routes ? "routes" : "",
    plan.siteObjects.length ? `site ${plan.siteObjects.join(", ")}` : "",
    plan.tablesAdded.length ? `tables added ${list(plan.tablesAdded)}` : "",
    plan.bucketsAdded.length ? `buckets added ${list(plan.bucketsAdded)}` : "",
    plan.rules ? "rules" : "",
    plan.stateMachines ? "state machines" : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "nothing changed";
}

/**
 * A program error as one line: what was thrown and where in the project, without the engine's
 * preamble, the stack's other frames or the terminal's colours.
 */
export function programErrorLine(error: string, root: string): string {
  // eslint-disable-next-line no-control-regex
  const lines = error.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const frames = lines.filter((l) => /^\s+at /.test(l));
  const message = lines
    .filter((l) => l.trim() && !/^\s+at /.test(l) && !/^Running program .* failed with/.test(l))
    .join(" ")
    .trim();
  const own = frames
    .map((f) => /\(?([^()\s]+:\d+:\d+)\)?\s*$/.exec(f)?.[1])
    .find((at) => at?.startsWith(root) && !at.includes(`${path.sep}node_modules${path.sep}`));
  const where = own ? ` (${path.relative(root, own)})` : "";
  return `${message || lines[0]}${where}`;
}
