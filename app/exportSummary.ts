// The export workflow's last step, reached by every run: the segments' counts summed, and where the
// run stopped (a segment that failed after its retries, or the Map itself), the error and its
// cause. Written to `exports/scheduled/<date>/summary.json`; the summary is the run's output, and
// the workflow fails after it when the export stopped.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { scheduledSummaryKey } from "./bucketLayout";
import { requiredEnv } from "./env";
import type {
  ExportRunState,
  ExportSummary,
  SegmentFailure,
  SegmentProgress,
  StepFailure,
} from "./exportRun";

const isFailure = (s: SegmentProgress | SegmentFailure): s is SegmentFailure => "failure" in s;

export function exportSummary(): (state: ExportRunState) => Promise<ExportSummary> {
  const s3 = new S3Client({});
  const bucket = requiredEnv("BUCKET_NAME");
  return async (state) => {
    const summaryKey = scheduledSummaryKey(state.date);
    const results = state.exported ?? [];
    const segments = results
      .map((s) => ({
        segment: s.segment,
        users: s.users,
        notes: s.notes,
        ...(isFailure(s) ? { failure: s.failure } : {}),
      }))
      .sort((a, b) => a.segment - b.segment);
    const failed = segments.find((s) => s.failure);
    const stopped: StepFailure | undefined =
      state.failure ??
      (failed?.failure && {
        Error: failed.failure.Error,
        Cause: `segment ${failed.segment}: ${failed.failure.Cause}`,
      });
    const summary: ExportSummary = {
      summaryKey,
      date: state.date,
      outcome: stopped ? "Failed" : "Completed",
      users: segments.reduce((sum, s) => sum + s.users, 0),
      notes: segments.reduce((sum, s) => sum + s.notes, 0),
      segments,
      ...(stopped ? { stopped } : {}),
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: summaryKey,
        Body: `${JSON.stringify(summary, null, 2)}\n`,
        ContentType: "application/json",
      }),
    );
    const log = stopped ? console.warn : console.log;
    log(
      `export ${state.date}: ${summary.outcome}, ${summary.users} users, ${summary.notes} notes ` +
        `(s3://${bucket}/${summaryKey})`,
    );
    return summary;
  };
}
