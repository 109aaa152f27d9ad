// What the import workflow's steps pass each other (see app/importWorkflowDefinition.ts), and
// the one way every step reads the uploaded object: the version Check found, never a newer one.
import type { GetObjectCommandInput } from "@aws-sdk/client-s3";
import type { Part } from "./csvParts";
import type { RejectedRow } from "./notesCsv";

/** Larger uploads are refused with a report: the workflow's documented limit. */
export const MAX_IMPORT_BYTES = 1024 ** 3;

/** The EventBridge "Object Created" event, as the rule passes it (and an operator re-runs it). */
export interface ImportEvent {
  detail: {
    bucket: { name: string };
    object: { key: string; "version-id"?: string; etag?: string; size?: number };
  };
}

/** One version of one upload, as HeadObject describes it. */
export interface ImportObject {
  bucket: string;
  key: string;
  /** Where the bucket keeps versions. */
  versionId?: string;
  /** Without quotes: it names the run's results folder. */
  etag: string;
  size: number;
  /** ISO 8601: the notes' CreatedAt and UpdatedAt, so writing them again changes nothing. */
  lastModified: string;
}

export interface RowCounts {
  read: number;
  stored: number;
  refused: number;
}

export type Outcome = "Completed" | "Refused" | "Failed";

/** What the run ends with, and what an already-reported version ends with at once. */
export interface ReportSummary {
  reportKey: string;
  outcome: Outcome;
  rows: RowCounts;
  stopped?: StepFailure;
}

/** Step Functions' `{Error, Cause}` of a caught failure. */
export interface StepFailure {
  Error: string;
  Cause: string;
}

export interface CheckResult {
  object: ImportObject;
  /** The whole file is refused (too large, no header): nothing is loaded. */
  refusal?: RejectedRow;
  /** This version was imported already: the run ends with its report. */
  reported?: ReportSummary;
}

export interface SplitResult {
  parts: Part[];
}

export interface LoadPartInput {
  object: ImportObject;
  part: Part;
}

export interface PartResult extends RowCounts {
  index: number;
  firstLine: number;
  resultKey: string;
}

export interface PartFailure {
  index: number;
  firstLine: number;
  failure: StepFailure;
}

/** The execution's state when it reaches the report. */
export interface RunState extends ImportEvent {
  checked?: CheckResult;
  split?: SplitResult;
  loaded?: (PartResult | PartFailure)[];
  failure?: StepFailure;
}

/** GetObject of exactly the version Check saw: a replaced object fails instead of mixing in. */
export function sameVersion(object: ImportObject): GetObjectCommandInput {
  return {
    Bucket: object.bucket,
    Key: object.key,
    ...(object.versionId ? { VersionId: object.versionId } : { IfMatch: `"${object.etag}"` }),
  };
}

/** An ETag without its quotes. */
export function bareEtag(etag: string | undefined): string {
  return (etag ?? "").replace(/^"|"$/g, "");
}
