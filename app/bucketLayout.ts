// Where things live in the notes bucket: CSV uploads under `imports/`, each import's results
// under `results/`, and the scheduled exports by date. The infrastructure builds the upload rule
// and the functions' S3 grants from the same prefixes, so the two cannot drift apart.

/** Uploads here, ending in `CSV_SUFFIX` in any case, are imported. */
export const IMPORTS_PREFIX = "imports/";
/** Matched in any case by the workflow's EventBridge rule: `notes.CSV` is imported too. */
export const CSV_SUFFIX = ".csv";
/** The scheduled export writes `exports/<YYYY-MM-DD>/<userId>.json`. */
export const EXPORTS_PREFIX = "exports/";

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

/** One user's notes in the export of one day. */
export function exportKey(date: string, userId: string): string {
  return `${EXPORTS_PREFIX}${date}/${userId}.json`;
}
