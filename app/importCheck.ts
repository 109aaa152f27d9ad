// The import workflow's first step: which version of the upload this run imports (HeadObject,
// not the event's word for it), whether it was imported already, and whether it can be: at
// most 1 GiB, starting with the header `UserId,NoteId,Note` (a BOM allowed).
import { GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parse } from "csv-parse/sync";
import { reportKey } from "./bucketLayout";
import { MAX_IMPORT_BYTES, bareEtag, sameVersion } from "./importRun";
import type { CheckResult, ImportEvent, ImportObject, ReportSummary } from "./importRun";
import { CSV_HEADER } from "./notesCsv";

/** Enough of the file for its first line: the header is 18 bytes, 21 with a BOM. */
const HEADER_BYTES = 1024;

/** `maxBytes`: the largest upload imported (the workflow's limit; smaller in tests). */
export function checkImport(
  maxBytes: number = MAX_IMPORT_BYTES,
): (event: ImportEvent) => Promise<CheckResult> {
  const s3 = new S3Client({});

  /** The report already written for this version, or undefined. */
  async function existingReport(object: ImportObject): Promise<ReportSummary | undefined> {
    const key = reportKey(object.key, object.etag);
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: key }));
      const report = JSON.parse((await out.Body?.transformToString("utf-8")) ?? "{}");
      return report.summary as ReportSummary;
    } catch (error) {
      // Without s3:ListBucket, S3 answers a missing key with 403 instead of 404.
      const name = (error as { name?: unknown }).name;
      if (name === "NoSuchKey" || name === "AccessDenied") return undefined;
      throw error;
    }
  }

  async function headerProblem(object: ImportObject): Promise<string | undefined> {
    if (object.size === 0) return "the file is empty";
    const out = await s3.send(
      new GetObjectCommand({ ...sameVersion(object), Range: `bytes=0-${HEADER_BYTES - 1}` }),
    );
    const text = (await out.Body?.transformToString("utf-8")) ?? "";
    const firstLine = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/)[0];
    let fields: unknown;
    try {
      fields = parse(firstLine, { relax_column_count: true })[0];
    } catch {
      fields = undefined;
    }
    if (JSON.stringify(fields) === JSON.stringify(CSV_HEADER)) return undefined;
    return `the first line is not the header ${CSV_HEADER.join(",")}`;
  }

  return async (event) => {
    const { bucket, object: notified } = event.detail;
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: bucket.name,
        Key: notified.key,
        VersionId: notified["version-id"],
      }),
    );
    const object: ImportObject = {
      bucket: bucket.name,
      key: notified.key,
      ...(head.VersionId && head.VersionId !== "null" ? { versionId: head.VersionId } : {}),
      etag: bareEtag(head.ETag),
      size: Number(head.ContentLength ?? 0),
      lastModified: (head.LastModified ?? new Date(0)).toISOString(),
    };

    const reported = await existingReport(object);
    // A run that failed is not an answer: running the same version again finishes it.
    if (reported && reported.outcome !== "Failed") {
      console.log(`s3://${bucket.name}/${object.key} (${object.etag}) is already reported`);
      return { object, reported };
    }
    if (object.size > maxBytes) {
      const message = `the file has ${object.size} bytes, more than ${maxBytes}: nothing was imported`;
      return { object, refusal: { line: 1, code: "FileTooLarge", message } };
    }
    const problem = await headerProblem(object);
    if (problem) {
      return {
        object,
        refusal: { line: 1, code: "InvalidHeader", message: `${problem}: nothing was imported` },
      };
    }
    return { object };
  };
}
