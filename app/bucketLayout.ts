// Where things live in the notes bucket: CSV uploads under `imports/`, each import's results
// beside its CSV, and the scheduled exports by date. The infrastructure builds the upload filter
// and the functions' S3 grants from the same prefixes, so the two cannot drift apart.

/** Uploads here, ending in `CSV_SUFFIX`, are imported. */
export const IMPORTS_PREFIX = "imports/";
/**
 * Lowercase only, as S3's notification filter compares it: `.CSV` is not imported. A filter on
 * the prefix alone, with the handler deciding case-insensitively, would also run the function
 * for each `.json` it writes beside the CSV, only to be skipped; this way its outputs never
 * start it.
 */
export const CSV_SUFFIX = ".csv";
/** The scheduled export writes `exports/<YYYY-MM-DD>/<userId>.json`. */
export const EXPORTS_PREFIX = "exports/";

/** Whether a created object is a CSV upload to import: exactly what the S3 filter lets through. */
export function isCsvUpload(key: string): boolean {
  return key.startsWith(IMPORTS_PREFIX) && key.endsWith(CSV_SUFFIX);
}

/** The key without its `.csv`: `imports/notes.csv` → `imports/notes`. */
function baseOf(csvKey: string): string {
  return csvKey.endsWith(CSV_SUFFIX) ? csvKey.slice(0, -CSV_SUFFIX.length) : csvKey;
}

/** The CSV converted to JSON: `imports/notes.csv` → `imports/notes.json`. */
export function convertedKey(csvKey: string): string {
  return `${baseOf(csvKey)}.json`;
}

/** The rows that were not loaded: `imports/notes.csv` → `imports/notes.errors.json`. */
export function errorsKey(csvKey: string): string {
  return `${baseOf(csvKey)}.errors.json`;
}

/** One user's notes in the export of one day. */
export function exportKey(date: string, userId: string): string {
  return `${EXPORTS_PREFIX}${date}/${userId}.json`;
}
