// The application's routes, tasks and tables as plain data: the infrastructure builds the API,
// the functions, their IAM grants and the tables from these, so app and infra cannot drift apart.
import type { Context } from "aws-lambda";
import {
  IMPORTS_PREFIX,
  ON_DEMAND_EXPORTS_PREFIX,
  RESULTS_PREFIX,
  SCHEDULED_EXPORTS_PREFIX,
} from "./bucketLayout";
import { exportSlice } from "./exportSlice";
import { exportSummary } from "./exportSummary";
import type { ExportWorkflowSettings } from "./exportWorkflowDefinition";
import type { Handler } from "./http";
import { checkImport } from "./importCheck";
import { loadImportPart } from "./importLoadPart";
import { reportImport } from "./importReport";
import { splitImport } from "./importSplit";
import type { ImportWorkflowSettings } from "./importWorkflowDefinition";
import { listMembers, shuffleMember } from "./members";
import { createNote, deleteNote, getNote, listNotes, updateNote } from "./notes";
import { exportNotes } from "./notesExport";

export interface KeyAttribute {
  name: string;
  type: "S" | "N" | "B";
}

export interface TableSpec {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
}

export const tables = {
  notes: {
    name: "Notes",
    partitionKey: { name: "UserId", type: "S" },
    sortKey: { name: "NoteId", type: "S" },
  },
  members: { name: "hello-member", partitionKey: { name: "name", type: "S" } },
} satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof tables;

/** S3 object actions on the notes bucket's objects under one key prefix. */
export interface ObjectGrant {
  prefix: string;
  actions: string[];
}

export interface RouteSpec {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  table: TableKey;
  /** Exactly the DynamoDB actions the handler calls: its function's role allows only these. */
  actions: string[];
  /**
   * Exactly the S3 actions on the notes bucket its role needs, by key prefix; the bucket's name
   * is then in `BUCKET_NAME`. Default none.
   */
  objects?: ObjectGrant[];
  /** The least memory its function gets, whatever the environment's API functions get. */
  minMemoryMb?: number;
  /**
   * `owner`: only a signed-in person, on their own `{userId}` (the Cognito authorizer at the
   * gateway, `ownerEndpoint` in the handler); `public`: anyone (the camp lab's moods).
   */
  access: "owner" | "public";
  /** Runs once per Lambda container and returns the request handler. */
  handler: () => Handler;
}

export const routes: readonly RouteSpec[] = [
  {
    name: "listNotes",
    method: "GET",
    path: "/users/{userId}/notes",
    table: "notes",
    actions: ["dynamodb:Query"],
    access: "owner",
    handler: listNotes,
  },
  {
    name: "createNote",
    method: "POST",
    path: "/users/{userId}/notes",
    table: "notes",
    actions: ["dynamodb:PutItem"],
    access: "owner",
    handler: createNote,
  },
  {
    // A literal segment: API Gateway matches it before the `{noteId}` beside it.
    name: "exportNotes",
    method: "GET",
    path: "/users/{userId}/notes/export",
    table: "notes",
    actions: ["dynamodb:Query"],
    // It writes a large export and presigns a GET of it: the URL carries this role's rights, so
    // GetObject is granted though the function never reads (AbortMultipartUpload: a failed write).
    objects: [
      {
        prefix: ON_DEMAND_EXPORTS_PREFIX,
        actions: ["s3:PutObject", "s3:AbortMultipartUpload", "s3:GetObject"],
      },
    ],
    // A large export streams through about 50 MiB beyond the runtime's own 80 MiB, whatever its
    // size (tests/bundle/notesExport.test.ts measures it): more than 128 MB holds safely.
    minMemoryMb: 256,
    access: "owner",
    handler: exportNotes,
  },
  {
    name: "getNote",
    method: "GET",
    path: "/users/{userId}/notes/{noteId}",
    table: "notes",
    actions: ["dynamodb:GetItem"],
    access: "owner",
    handler: getNote,
  },
  {
    name: "updateNote",
    method: "PUT",
    path: "/users/{userId}/notes/{noteId}",
    table: "notes",
    actions: ["dynamodb:UpdateItem"],
    access: "owner",
    handler: updateNote,
  },
  {
    name: "deleteNote",
    method: "DELETE",
    path: "/users/{userId}/notes/{noteId}",
    table: "notes",
    actions: ["dynamodb:DeleteItem"],
    access: "owner",
    handler: deleteNote,
  },
  {
    name: "listMembers",
    method: "GET",
    path: "/members",
    table: "members",
    actions: ["dynamodb:Scan"],
    access: "public",
    handler: listMembers,
  },
  {
    name: "shuffleMember",
    method: "POST",
    path: "/members",
    table: "members",
    actions: ["dynamodb:PutItem"],
    access: "public",
    handler: shuffleMember,
  },
];

/** A step of a workflow: Step Functions invokes its function and waits for its answer. */
export interface StepSpec {
  name: string;
  /** Exactly the DynamoDB actions it calls, on one table; none when it uses no table. */
  table?: { key: TableKey; actions: string[] };
  /** Exactly the S3 actions it calls on the notes bucket's objects, by key prefix. */
  objects: ObjectGrant[];
  /** Modules it requires that the Lambda runtime does not provide (it provides the AWS SDK). */
  modules: string[];
  /** Runs once per Lambda container and returns the step's handler. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  handler: () => (input: any, context: Context) => Promise<unknown>;
}

/** Reading the upload's version Check found: GetObjectVersion where the bucket keeps versions. */
const READ_UPLOAD = { prefix: IMPORTS_PREFIX, actions: ["s3:GetObject", "s3:GetObjectVersion"] };

/** The import workflow's steps (app/importWorkflowDefinition.ts, infra/importWorkflow.ts). */
export const importSteps = {
  /** HeadObject and the header of the upload; an earlier report of the same version. */
  check: {
    name: "importCheck",
    objects: [READ_UPLOAD, { prefix: RESULTS_PREFIX, actions: ["s3:GetObject"] }],
    modules: ["csv-parse/sync"],
    handler: checkImport,
  },
  /** The upload scanned into record-aligned parts. */
  split: { name: "importSplit", objects: [READ_UPLOAD], modules: [], handler: splitImport },
  /**
   * One part: rows into the table, its result into the run's folder (streamed: a multipart
   * upload where large, AbortMultipartUpload when a write fails).
   */
  loadPart: {
    name: "importLoadPart",
    table: { key: "notes", actions: ["dynamodb:BatchWriteItem"] },
    objects: [
      READ_UPLOAD,
      { prefix: RESULTS_PREFIX, actions: ["s3:PutObject", "s3:AbortMultipartUpload"] },
    ],
    modules: ["csv-parse"],
    handler: loadImportPart,
  },
  /** The parts' results read back and the report written beside them. */
  report: {
    name: "importReport",
    objects: [{ prefix: RESULTS_PREFIX, actions: ["s3:GetObject", "s3:PutObject"] }],
    modules: [],
    handler: reportImport,
  },
} satisfies Record<keyof ImportWorkflowSettings["functions"], StepSpec>;

/** Writing under the scheduled exports' folder; AbortMultipartUpload for a failed large write. */
const WRITE_EXPORTS = {
  prefix: SCHEDULED_EXPORTS_PREFIX,
  actions: ["s3:PutObject", "s3:AbortMultipartUpload"],
};

/** The scheduled export's steps (app/exportWorkflowDefinition.ts, infra/exportWorkflow.ts). */
export const exportSteps = {
  /** A slice of one segment of the parallel Scan: each user's notes into the day's folder. */
  slice: {
    name: "exportSlice",
    table: { key: "notes", actions: ["dynamodb:Scan", "dynamodb:Query"] },
    objects: [WRITE_EXPORTS],
    modules: [],
    handler: exportSlice,
  },
  /** The segments' counts summed into the day's summary. */
  summary: {
    name: "exportSummary",
    objects: [{ prefix: SCHEDULED_EXPORTS_PREFIX, actions: ["s3:PutObject"] }],
    modules: [],
    handler: exportSummary,
  },
} satisfies Record<keyof ExportWorkflowSettings["functions"], StepSpec>;
