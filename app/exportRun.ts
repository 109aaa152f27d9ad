// What the export workflow's steps pass each other (see app/exportWorkflowDefinition.ts).
import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** Step Functions' `{Error, Cause}` of a caught failure. */
export interface StepFailure {
  Error: string;
  Cause: string;
}

/**
 * Where one segment of the table's parallel Scan stands: what each slice of it gets and returns.
 * The Map's item selector starts it at zero; each slice carries it on until `done`.
 */
export interface SegmentProgress {
  /** The day the export is filed under (UTC). */
  date: string;
  /** This segment, from 0, of `segments` (DynamoDB's `Segment` and `TotalSegments`). */
  segment: number;
  segments: number;
  /** Users exported so far in this segment, and their notes. */
  users: number;
  notes: number;
  /** Slices run so far in this segment (each is one invocation of the slice's function). */
  slices: number;
  /** Where the next slice's Scan starts: after this key. */
  startKey?: Record<string, AttributeValue>;
  /** The user whose notes were exported last: the Scan's later rows of that user are skipped. */
  lastUser?: string;
  /** True once the segment's Scan has reached its end. */
  done?: boolean;
}

/** A segment whose slice failed after its retries: how far it got, and why it stopped. */
export interface SegmentFailure {
  segment: number;
  users: number;
  notes: number;
  failure: StepFailure;
}

export type Outcome = "Completed" | "Failed";

/** The execution's state when it reaches the summary. */
export interface ExportRunState {
  date: string;
  /** The Map's results: each segment finished, or failed. */
  exported?: (SegmentProgress | SegmentFailure)[];
  /** Why the Map itself stopped, when it did. */
  failure?: StepFailure;
}

/** `exports/scheduled/<date>/summary.json` and the execution's output. */
export interface ExportSummary {
  summaryKey: string;
  date: string;
  outcome: Outcome;
  /** Users and notes written, over every segment (a failed segment's up to its failure). */
  users: number;
  notes: number;
  segments: { segment: number; users: number; notes: number; failure?: StepFailure }[];
  /** Where the export stopped, and why: a failed segment, or the Map itself. */
  stopped?: StepFailure;
}
