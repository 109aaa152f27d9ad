// The import workflow's last step, reached by every run that gets past nothing silently: the
// parts' counts summed, their refused rows gathered by line, and, where the run stopped, the
// step's error and cause. Written to the run's folder as `report.json`; its summary is the run's
// output, and Check answers the same summary for a version that was already reported.
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { reportKey } from "./bucketLayout";
import { bareEtag } from "./importRun";
import type {
  Outcome,
  PartFailure,
  PartResult,
  ReportSummary,
  RowCounts,
  RunState,
  StepFailure,
} from "./importRun";
import type { RejectedRow } from "./notesCsv";

export interface ImportReport {
  summary: ReportSummary;
  upload: { bucket: string; key: string; versionId?: string; etag: string; size?: number };
  /** Every refused row of the parts that finished, by line. */
  refused: RejectedRow[];
  parts: (PartResult | PartFailure)[];
}

const isFailure = (part: PartResult | PartFailure): part is PartFailure => "failure" in part;

export function reportImport(): (state: RunState) => Promise<ReportSummary> {
  const s3 = new S3Client({});

  async function refusedRows(bucket: string, part: PartResult): Promise<RejectedRow[]> {
    const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: part.resultKey }));
    const result = JSON.parse((await out.Body?.transformToString("utf-8")) ?? "{}");
    return (result.refused ?? []) as RejectedRow[];
  }

  return async (state) => {
    const object = state.checked?.object;
    const bucket = object?.bucket ?? state.detail.bucket.name;
    const key = object?.key ?? state.detail.object.key;
    // Before Check knew the object, the event's ETag is the best name for the run.
    const etag = object?.etag ?? (bareEtag(state.detail.object.etag) || "unknown");
    const parts = state.loaded ?? [];

    const rows: RowCounts = { read: 0, stored: 0, refused: 0 };
    const refused: RejectedRow[] = [];
    for (const part of parts) {
      if (isFailure(part)) continue;
      rows.read += part.read;
      rows.stored += part.stored;
      rows.refused += part.refused;
      if (part.refused > 0) refused.push(...(await refusedRows(bucket, part)));
    }
    const refusal = state.checked?.refusal;
    if (refusal) {
      refused.push(refusal);
      rows.refused += 1;
    }
    refused.sort((a, b) => a.line - b.line);

    const failedPart = parts.find(isFailure);
    const stopped: StepFailure | undefined =
      state.failure ??
      (failedPart && {
        Error: failedPart.failure.Error,
        Cause: `part ${failedPart.index} (from line ${failedPart.firstLine}): ${failedPart.failure.Cause}`,
      });
    const outcome: Outcome = stopped ? "Failed" : refusal ? "Refused" : "Completed";
    const summary: ReportSummary = {
      reportKey: reportKey(key, etag),
      outcome,
      rows,
      ...(stopped ? { stopped } : {}),
    };
    const report: ImportReport = {
      summary,
      upload: { bucket, key, versionId: object?.versionId, etag, size: object?.size },
      refused,
      parts,
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: summary.reportKey,
        Body: `${JSON.stringify(report, null, 2)}\n`,
        ContentType: "application/json",
      }),
    );
    const log = outcome === "Completed" ? console.log : console.warn;
    log(`s3://${bucket}/${key}: ${outcome} ${JSON.stringify(rows)} (${summary.reportKey})`);
    return summary;
  };
}
