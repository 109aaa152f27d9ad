// Where things live in the notes bucket: CSV uploads under `imports/`, each import's results
// under `results/`, the export route's large answers under `exports/on-demand/` and the scheduled
// exports by date under `exports/scheduled/`. The infrastructure builds the upload rule, the
// functions' S3 grants and the bucket's lifecycle from the same prefixes, so they cannot drift.

/** Uploads here, ending in `CSV_SUFFIX` in any case, are imported. */
export const IMPORTS_PREFIX = "imports/";
/** Matched in any case by the workflow's EventBridge rule: `notes.CSV` is imported too. */
export const CSV_SUFFIX = ".csv";
/**
 * `GET /users/{userId}/notes/export` writes an answer too large to send here, one object per
 * request, and answers with a presigned URL of it; kept a day (infra/notesBucket.ts).
 */
export const ON_DEMAND_EXPORTS_PREFIX = "exports/on-demand/";
/** The export workflow writes every user's notes here, a folder per day. */
export const SCHEDULED_EXPORTS_PREFIX = "exports/scheduled/";

/**
 * What the import workflow writes for one version of one upload: its report and its parts'
 * results. encodeURIComponent is injective and leaves no "/", so two upload keys never share a
 * folder, and nothing here is under `imports/` (see infra/importWorkflow.ts).
 */
export const RESULTS_PREFIX = "results/";

/** `results/imports%2Fnotes.csv/<etag>/`: the folder of one version of one upload. */
export function resultsFolder(uploadKey: string, etag: string): string {
  if (!/^[0-9A-Za-z-]+$/.test(etag)) throw new Error(`"${etag}" is not an S3 ETag`);
  return `${RESULTS_PREFIX}${encodeURIComponent(uploadKey)}/${etag}/`;
}

/** The import's report: counts, refused rows by line, and where it stopped, why. */
export function reportKey(uploadKey: string, etag: string): string {
  return `${resultsFolder(uploadKey, etag)}report.json`;
}

/** One part's notes converted to JSON and the rows it refused. */
export function partResultKey(uploadKey: string, etag: string, index: number): string {
  return `${resultsFolder(uploadKey, etag)}part-${String(index).padStart(5, "0")}.json`;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const REQUEST_ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * `exports/on-demand/<userId>/<20261121T030000Z>-<request id>.json`: one object per request, a
 * folder per user, in time order. Lambda's request id is unique per invocation, so two requests
 * never share a key, even within one second.
 */
export function onDemandExportKey(userId: string, at: Date, requestId: string): string {
  if (!REQUEST_ID.test(requestId)) throw new Error(`"${requestId}" is not a request id`);
  const stamp = at.toISOString().replace(/[-:]|\.\d{3}/g, "");
  return `${ON_DEMAND_EXPORTS_PREFIX}${encodeURIComponent(userId)}/${stamp}-${requestId}.json`;
}

/** The folder of one day's scheduled export. */
function scheduledFolder(date: string): string {
  if (!DATE.test(date)) throw new Error(`"${date}" is not a date (YYYY-MM-DD)`);
  return `${SCHEDULED_EXPORTS_PREFIX}${date}/`;
}

/**
 * One user's notes in the export of one day: `exports/scheduled/<date>/users/<userId>.json`. The
 * users have their own folder, so no user id can name the summary beside it.
 */
export function scheduledExportKey(date: string, userId: string): string {
  return `${scheduledFolder(date)}users/${encodeURIComponent(userId)}.json`;
}

/** What the export of one day did: `exports/scheduled/<date>/summary.json`. */
export function scheduledSummaryKey(date: string): string {
  return `${scheduledFolder(date)}summary.json`;
}
