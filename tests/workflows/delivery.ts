// The delivery files as the tests see them: every YAML file under .github/ plus the README, as
// text, with the workflows parsed and each job resolved to the steps it really runs (local
// composite actions and reusable workflows expanded, matrix values and action inputs filled in).
// Copies can be edited, so each rule can also be shown failing on a broken copy.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { dump, load } from "js-yaml";

export const REPO_ROOT = path.resolve(__dirname, "../..");

/** Repository-relative path → text, for `.github/**` YAML files, `README.md` and `.pulumi-version`. */
export type DeliveryFiles = ReadonlyMap<string, string>;

export type Permissions = string | Record<string, string>;

export interface Concurrency {
  group: string;
  "cancel-in-progress"?: boolean | string;
}

export interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  name?: string;
  needs?: string | string[];
  if?: string;
  uses?: string;
  with?: Record<string, unknown>;
  "runs-on"?: string;
  "timeout-minutes"?: number;
  environment?: string | { name: string; url?: string };
  permissions?: Permissions;
  concurrency?: string | Concurrency;
  strategy?: { matrix?: Record<string, unknown> };
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on: string | string[] | Record<string, Record<string, unknown> | null>;
  permissions?: Permissions;
  concurrency?: string | Concurrency;
  jobs: Record<string, Job>;
}

interface CompositeAction {
  runs: { using: string; steps?: Step[] };
}

/** One run of a job: a matrix combination, with the steps it executes in order. */
export interface JobRun {
  workflow: string;
  jobId: string;
  job: Job;
  matrix: Record<string, string>;
  steps: Step[];
}

export function readDeliveryFiles(root = REPO_ROOT): DeliveryFiles {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (/\.ya?ml$/.test(entry.name))
        files.set(rel, fs.readFileSync(path.join(root, rel), "utf8"));
    }
  };
  walk(".github");
  for (const file of ["README.md", ".pulumi-version"]) {
    const at = path.join(root, file);
    if (fs.existsSync(at)) files.set(file, fs.readFileSync(at, "utf8"));
  }
  return files;
}

export function text(files: DeliveryFiles, file: string): string {
  const content = files.get(file);
  assert.ok(content !== undefined, `${file} does not exist`);
  return content;
}

function parse(files: DeliveryFiles, file: string): unknown {
  const doc = load(text(files, file));
  assert.ok(doc && typeof doc === "object", `${file} is not a YAML mapping`);
  return doc;
}

export function workflow(files: DeliveryFiles, file: string): Workflow {
  const doc = parse(files, file) as Workflow;
  assert.ok(doc.jobs && typeof doc.jobs === "object", `${file} has no jobs`);
  return doc;
}

export function workflowFiles(files: DeliveryFiles): string[] {
  return [...files.keys()].filter((f) => f.startsWith(".github/workflows/")).sort();
}

/** A copy with `from` replaced by `to` in one file; `from` must be there. */
export function withText(
  files: DeliveryFiles,
  file: string,
  from: string,
  to: string,
): DeliveryFiles {
  const before = text(files, file);
  assert.ok(before.includes(from), `${file} does not contain ${JSON.stringify(from)}`);
  return new Map(files).set(file, before.replace(from, to));
}

/** A copy with one YAML file's parsed document edited (comments are lost). */
export function withYaml<T>(
  files: DeliveryFiles,
  file: string,
  edit: (doc: T) => void,
): DeliveryFiles {
  const doc = parse(files, file) as T;
  edit(doc);
  return new Map(files).set(file, dump(doc));
}

/** `owner/repo` (or `./local/path`) of a `uses:` reference, without its version. */
export function actionName(uses: string): string {
  return uses.startsWith("./") ? uses : uses.split("@")[0];
}

export function stepsUsing(run: JobRun, action: string): Step[] {
  return run.steps.filter((s) => s.uses !== undefined && actionName(s.uses) === action);
}

/** The job's matrix combinations (`include`/`exclude` are not used here, so they are refused). */
function matrixCombinations(job: Job): Record<string, string>[] {
  const matrix = job.strategy?.matrix;
  if (!matrix) return [{}];
  assert.ok(
    !("include" in matrix) && !("exclude" in matrix),
    "matrix include/exclude is not modelled",
  );
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of Object.entries(matrix)) {
    assert.ok(Array.isArray(values), `matrix.${key} is not a list`);
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: String(v) })));
  }
  return combos;
}

/** Replaces `${{ <scope>.<key> }}` by its value where the key is known. */
function fill<T>(value: T, scope: string, values: Record<string, unknown>): T {
  if (typeof value === "string") {
    const pattern = new RegExp(`\\$\\{\\{\\s*${scope}\\.([\\w-]+)\\s*\\}\\}`, "g");
    return value.replace(pattern, (whole, key: string) =>
      key in values ? String(values[key]) : whole,
    ) as T;
  }
  if (Array.isArray(value)) return value.map((v) => fill(v, scope, values)) as T;
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, fill(v, scope, values)]),
    ) as T;
  }
  return value;
}

/** Steps with local composite actions replaced by their own steps (inputs filled in). */
function expandSteps(files: DeliveryFiles, steps: Step[]): Step[] {
  return steps.flatMap((step) => {
    if (!step.uses?.startsWith("./")) return [step];
    const dir = step.uses.slice(2).replace(/\/$/, "");
    const file = files.has(`${dir}/action.yml`) ? `${dir}/action.yml` : `${dir}/action.yaml`;
    const action = parse(files, file) as CompositeAction;
    assert.equal(action.runs?.using, "composite", `${file} is not a composite action`);
    return expandSteps(files, fill(action.runs.steps ?? [], "inputs", step.with ?? {}));
  });
}

/** Every run of one job, reusable workflows (`uses: ./.github/workflows/…`) included. */
export function jobRuns(files: DeliveryFiles, file: string, jobId: string): JobRun[] {
  const job = workflow(files, file).jobs[jobId];
  assert.ok(job, `${file} has no job ${jobId}`);
  return matrixCombinations(job).map((matrix) => {
    const filled = fill(job, "matrix", matrix);
    let steps: Step[];
    if (filled.uses?.startsWith("./")) {
      const called = filled.uses.slice(2);
      steps = Object.keys(workflow(files, called).jobs).flatMap((id) =>
        jobRuns(files, called, id).flatMap((r) => r.steps),
      );
    } else {
      steps = expandSteps(files, filled.steps ?? []);
    }
    return { workflow: file, jobId, job: filled, matrix, steps };
  });
}

export function allJobRuns(files: DeliveryFiles, file: string): JobRun[] {
  return Object.keys(workflow(files, file).jobs).flatMap((id) => jobRuns(files, file, id));
}

export function needsOf(job: Job): string[] {
  return job.needs === undefined ? [] : ([] as string[]).concat(job.needs);
}

export function environmentName(job: Job): string | undefined {
  return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

/** A job's own permissions, else its workflow's. */
export function effectivePermissions(wf: Workflow, job: Job): Permissions | undefined {
  return job.permissions ?? wf.permissions;
}

/** The `## Delivery` section of the README (up to the next `## ` heading). */
export function deliverySection(files: DeliveryFiles): string {
  const readme = text(files, "README.md");
  const start = readme.search(/^## Delivery\s*$/m);
  assert.ok(start >= 0, "README.md has no `## Delivery` section");
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}
