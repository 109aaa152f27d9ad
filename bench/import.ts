// The CSV import at size, part of `npm run bench`: generated files of notes uploaded to the local
// dev stack's notes bucket, imported by the workflow its EventBridge rule starts (check, split,
// load the parts, report), each step in the local Lambda runtime at the stack's memory size.
// Side by side per file: rows per second from upload to report, and the peak memory of each
// part's load step (Lambda's "Max Memory Used"), which must not grow with the file: parts are
// streamed, never the whole file held. It is shown beside the function's memory size, which
// the local runtime does not enforce on a worker's resident memory as Lambda's sandbox does.
// Usage: bench/import.ts [--rows 1000000] [--small 100000]
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import type { ImportReport } from "../app/importReport";
import { startLocalStack } from "../local/localStack";
import type { LocalStack } from "../local/localStack";
import { option } from "./measure";

const LARGE = option("rows", 1_000_000);
const SMALL = option("small", 100_000);

/** `rows` notes for 1,000 users, some quoted with commas and line breaks, as a CSV file. */
function generate(rows: number, file: string): number {
  const out = fs.openSync(file, "w");
  let lines = ["UserId,NoteId,Note"];
  const flush = () => {
    fs.writeSync(out, `${lines.join("\n")}\n`);
    lines = [];
  };
  for (let n = 0; n < rows; n++) {
    const note =
      n % 10 === 0
        ? `"Note ${n}, with a comma\nand a second line"`
        : `Note ${n} of the import bench`;
    lines.push(`user-${n % 1000},note-${String(n).padStart(8, "0")},${note}`);
    if (lines.length >= 10_000) flush();
  }
  flush();
  fs.closeSync(out);
  return fs.statSync(file).size;
}

interface Figures {
  rows: number;
  bytes: number;
  parts: number;
  seconds: number;
  stored: number;
  outcome: string;
  /** Each load step's "Max Memory Used", in MB. */
  peaks: number[];
  memoryMb: number;
}

async function importOnce(local: LocalStack, rows: number, dir: string): Promise<Figures> {
  const file = path.join(dir, `notes-${rows}.csv`);
  const bytes = generate(rows, file);
  const bucket = String(local.app.outputs.notesBucketName);
  const key = `imports/bench-${rows}.csv`;
  const s3 = new S3Client({
    endpoint: local.s3Endpoint,
    region: local.app.region,
    credentials: local.s3Credentials,
  });
  const loadPart = local.app.functions.find((f) => f.name.endsWith("-importLoadPart"));
  if (!loadPart) throw new Error("the stack declares no importLoadPart function");
  peaksSeen.length = 0;
  ended = undefined;
  const started = performance.now();
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: fs.readFileSync(file) }));
  fs.rmSync(file);
  await new Promise<void>((resolve, reject) => {
    ended = (line) => {
      const match = / (SUCCEEDED|FAILED) in /.exec(line);
      if (match?.[1] === "FAILED") reject(new Error(line));
      else if (match) resolve();
    };
  });
  const seconds = (performance.now() - started) / 1000;
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const etag = head.ETag?.replace(/"/g, "");
  const reportKey = `results/${encodeURIComponent(key)}/${etag}/report.json`;
  const report = JSON.parse(
    String(
      await (
        await s3.send(new GetObjectCommand({ Bucket: bucket, Key: reportKey }))
      ).Body?.transformToString(),
    ),
  ) as ImportReport;
  s3.destroy();
  return {
    rows,
    bytes,
    parts: report.parts.length,
    seconds,
    stored: report.summary.rows.stored,
    outcome: report.summary.outcome,
    peaks: [...peaksSeen],
    memoryMb: loadPart.memoryMb,
  };
}

/** The load step's "Max Memory Used" of each invocation, as its REPORT lines give it. */
const peaksSeen: number[] = [];
/** Called with each workflow log line while an import runs. */
let ended: ((line: string) => void) | undefined;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-bench-"));
  const local = await startLocalStack({
    stack: "dev",
    dataDir: path.join(dir, "data"),
    ports: { site: 0, api: 0, dynamodb: 0, s3: 0 },
    onWorkflowLog: (line) => ended?.(line),
    onFunctionLog: (fn, line) => {
      const peak = /^REPORT .*\tMax Memory Used: (\d+) MB/.exec(line.text)?.[1];
      if (fn.endsWith("-importLoadPart") && peak) peaksSeen.push(Number(peak));
    },
  });
  try {
    const results: Figures[] = [];
    for (const rows of [SMALL, LARGE]) results.push(await importOnce(local, rows, dir));
    const [small, large] = results;
    const rate = (f: Figures) => f.stored / f.seconds;
    console.log("import: generated CSVs through the local dev workflow (upload → report)");
    console.log(
      `  ${"rows".padStart(10)} ${"size".padStart(9)} ${"parts".padStart(5)} ${"time".padStart(8)} ${"rows/s".padStart(8)}  load step peak memory per part (max / median of ${large.memoryMb} MB)`,
    );
    for (const f of results) {
      console.log(
        `  ${f.rows.toLocaleString("en").padStart(10)} ${mb(f.bytes).padStart(9)} ${String(f.parts).padStart(5)} ${`${f.seconds.toFixed(1)} s`.padStart(8)} ${Math.round(rate(f)).toLocaleString("en").padStart(8)}  ${Math.max(...f.peaks)} / ${median(f.peaks)} MB over ${f.peaks.length} parts`,
      );
    }
    console.log(
      `  ${large.rows / small.rows}× the rows: ${(rate(large) / rate(small)).toFixed(2)}× the rate, ` +
        `${(Math.max(...large.peaks) / Math.max(...small.peaks)).toFixed(2)}× the peak memory per part`,
    );
    console.log(`  largest file tried: ${mb(large.bytes)} (the workflow's limit: 1 GiB)`);
    const peakGrowth = Math.max(...large.peaks) / Math.max(...small.peaks);
    const ok =
      results.every((f) => f.outcome === "Completed" && f.stored === f.rows) && peakGrowth <= 1.5;
    console.log(
      `${ok ? "PASS" : "FAIL"}  every row stored, and the peak memory per part at most 1.5× for ${large.rows / small.rows}× the rows`,
    );
    if (Math.max(...large.peaks) >= large.memoryMb) {
      console.log(
        `  note: the peak is over the function's ${large.memoryMb} MB, which Lambda's sandbox enforces and the local runtime does not`,
      );
    }
    process.exitCode = ok ? 0 : 1;
  } finally {
    await local.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
