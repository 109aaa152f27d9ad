// What bundling buys, per function of the dev stack: the code archive as a real zip and the cold load of its handler,
// beside a plain `CallbackFunction` with default options wrapping the same handler factory (which
// ships every package.json dependency's node_modules folders), then the targets. Part of
// `npm run bench`.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { exportSteps, importSteps, routes } from "../app/routes";
import { assetMap, extractArchive } from "../local/lambdaArchive";
import type { AssetMap } from "../local/lambdaArchive";
import { recordStack } from "../local/recordStack";
import { ROUTE_PROBE, coldLoad } from "./coldLoad";
import type { Probe } from "./coldLoad";
import { zipSize } from "./zipSize";

const ROOT = path.join(__dirname, "..");
const STACK = "dev";
const SAMPLES = 5;
const MAX_ARCHIVE_BYTES = 100 * 1024;
const MIN_RATIO = 50;
const INDEX = "__index.js";

const run = promisify(execFile);

/** What every import step finds in its input: the object, a part, the event it came from. */
const IMPORT_STEP_INPUT = {
  detail: { bucket: { name: "bench" }, object: { key: "imports/bench.csv" } },
  checked: {
    object: { bucket: "bench", key: "imports/bench.csv", etag: "e", size: 30, lastModified: "" },
  },
  loaded: [{ index: 1, firstLine: 2, read: 1, stored: 0, refused: 1, resultKey: "results/x" }],
  object: { bucket: "bench", key: "imports/bench.csv", etag: "e", size: 30, lastModified: "" },
  part: { index: 1, start: 19, end: 30, firstLine: 2 },
};

/** What the export's steps find in their input: a segment to start, and the Map's results. */
const EXPORT_STEP_INPUT = {
  date: "2026-01-01",
  segment: 0,
  segments: 1,
  users: 0,
  notes: 0,
  slices: 0,
  exported: [],
};

/** A first call that fails at once: every AWS endpoint is a closed local port (see main). */
const FAILS_AT_ONCE: Probe["expected"] = (outcome) =>
  "error" in outcome && /ECONNREFUSED/.test(outcome.error.errorMessage + outcome.logs);

/** Every function, and an invocation that runs its handler without reaching AWS. */
const FUNCTIONS: { name: string; probe: Probe }[] = [
  ...routes.map((route) => ({ name: route.name, probe: ROUTE_PROBE })),
  ...Object.values(importSteps).map((step) => ({
    name: step.name,
    probe: { event: IMPORT_STEP_INPUT, expected: FAILS_AT_ONCE },
  })),
  ...Object.values(exportSteps).map((step) => ({
    name: step.name,
    probe: { event: EXPORT_STEP_INPUT, expected: FAILS_AT_ONCE },
  })),
];

interface Row {
  name: string;
  zipBytes: number;
  loadMs: number;
  defaultZipBytes: number;
  defaultLoadMs: number;
}

/** The default archives' asset maps, per function: a Pulumi program under mocks, in its own process. */
async function defaultArchives(): Promise<Record<string, AssetMap>> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bench-")), "archives.json");
  await run(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(__dirname, "defaultArchive.ts")].concat([
      "--out",
      out,
    ]),
    { cwd: ROOT, env: { ...process.env, NODE_NO_WARNINGS: "1" } },
  );
  const archives = JSON.parse(fs.readFileSync(out, "utf8")) as Record<string, AssetMap>;
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return archives;
}

/** One zip and one extracted task root per distinct set of entries besides `__index.js`. */
interface SharedDefault {
  zipBytes: number;
  files: number;
  entries: number;
  /** The deflated size of the `__index.js` that the zip above holds, as a zip of its own. */
  indexZipBytes: number;
  taskRoot: string;
}

const number = (n: number) => n.toLocaleString("en-US");
const bytes = (n: number) => `${number(n)} B`;
const ms = (n: number) => `${n.toFixed(1)} ms`;

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))))
    .map((r) => r.join("   "))
    .join("\n");
}

async function main(): Promise<void> {
  const started = Date.now();
  const [graph, defaults] = await Promise.all([recordStack(STACK), defaultArchives()]);
  if (graph.error) throw new Error(`the ${STACK} stack failed: ${graph.error}`);
  const region = graph.config["aws:region"];
  const runtimeEnvironment = {
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: "bench",
    AWS_SECRET_ACCESS_KEY: "bench",
    // Nothing listens on the discard port: a call that would reach AWS fails at once instead.
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_MAX_ATTEMPTS: "1",
  };
  const shared = new Map<string, SharedDefault>();
  const taskRoots: string[] = [];
  const rows: Row[] = [];

  for (const { name: what, probe } of FUNCTIONS) {
    const name = `serverless-notes-${STACK}-${what}`;
    const fn = graph.resources.find(
      (f) => f.type === "aws:lambda/function:Function" && f.inputs.name === name,
    );
    if (!fn) throw new Error(`${STACK}: no function ${name}`);
    // The import's check and report steps are given no variables at all.
    const declared = fn.inputs.environment as { variables: Record<string, string> } | undefined;
    const environment = { ...declared?.variables, ...runtimeEnvironment };
    const memoryMb = fn.inputs.memorySize as number;

    const bundled = assetMap(fn.inputs.code);
    const taskRoot = extractArchive(bundled, ROOT);
    taskRoots.push(taskRoot);
    const zip = await zipSize(bundled, ROOT);
    const loadMs = await coldLoad({
      name,
      taskRoot,
      environment,
      memoryMb,
      samples: SAMPLES,
      probe,
    });

    const fallback = defaults[what];
    const { [INDEX]: index, ...dependencies } = fallback;
    const key = JSON.stringify(dependencies);
    let common = shared.get(key);
    if (!common) {
      process.stderr.write(
        `zipping the default archive (${Object.keys(fallback).length} entries)…\n`,
      );
      const full = await zipSize(fallback, ROOT);
      const defaultRoot = extractArchive(fallback, ROOT);
      taskRoots.push(defaultRoot);
      common = {
        zipBytes: full.bytes,
        files: full.files,
        entries: Object.keys(fallback).length,
        indexZipBytes: (await zipSize({ [INDEX]: index }, ROOT)).bytes,
        taskRoot: defaultRoot,
      };
      shared.set(key, common);
    }
    // Same entries but this function's __index.js: swap its deflated size in, and its file.
    const defaultZipBytes =
      common.zipBytes - common.indexZipBytes + (await zipSize({ [INDEX]: index }, ROOT)).bytes;
    fs.writeFileSync(
      path.join(common.taskRoot, INDEX),
      (index as { $asset: { text: string } }).$asset.text,
    );
    const defaultLoadMs = await coldLoad({
      name,
      taskRoot: common.taskRoot,
      environment,
      memoryMb,
      samples: SAMPLES,
      probe,
    });
    rows.push({ name: what, zipBytes: zip.bytes, loadMs, defaultZipBytes, defaultLoadMs });
  }
  for (const dir of taskRoots) fs.rmSync(dir, { recursive: true, force: true });

  console.log(
    `Lambda code archives of the ${STACK} stack, bundled vs a default CallbackFunction\n`,
  );
  console.log(
    table([
      ["function", "zip", "default zip", "smaller", "cold load", "default cold load"],
      ...rows.map((r) => [
        r.name,
        bytes(r.zipBytes),
        bytes(r.defaultZipBytes),
        `${number(Math.round(r.defaultZipBytes / r.zipBytes))}×`,
        ms(r.loadMs),
        ms(r.defaultLoadMs),
      ]),
    ]),
  );
  for (const common of shared.values()) {
    console.log(
      `\ndefault archive: ${number(common.entries)} entries (__index.js and the node_modules folders of` +
        ` every dependency), ${number(common.files)} files; zipped once, as every function's has the` +
        ` same entries but __index.js, whose own deflated size is swapped in per function.`,
    );
  }
  console.log(
    `zip: deflate, as uploaded. cold load: the handler module's require in a fresh runtime` +
      ` process (Init Duration), median of ${SAMPLES}; files in the page cache.\n`,
  );

  const largest = rows.reduce((a, b) => (b.zipBytes > a.zipBytes ? b : a));
  const smallestRatio = rows.reduce((a, b) =>
    b.defaultZipBytes / b.zipBytes < a.defaultZipBytes / a.zipBytes ? b : a,
  );
  const ratio = smallestRatio.defaultZipBytes / smallestRatio.zipBytes;
  const checks = [
    {
      ok: largest.zipBytes < MAX_ARCHIVE_BYTES,
      text: `every archive under 100 KB (largest: ${largest.name}, ${bytes(largest.zipBytes)})`,
    },
    {
      ok: ratio >= MIN_RATIO,
      text: `every archive at least ${MIN_RATIO}× smaller than the default (least: ${smallestRatio.name}, ${number(Math.round(ratio))}×)`,
    },
  ];
  for (const check of checks) console.log(`${check.ok ? "PASS" : "FAIL"}  ${check.text}`);
  console.log(`\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
