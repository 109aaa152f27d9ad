// The application's routes and tables as plain data: the infrastructure builds the API, the
// functions, their IAM grants and the tables from these, so app and infra cannot drift apart.
import type { Handler } from "./http";
import { listMembers, shuffleMember } from "./members";
import { createNote, deleteNote, getNote, listNotes, updateNote } from "./notes";

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

export interface RouteSpec {
  name: string;
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  table: TableKey;
  /** Exactly the DynamoDB actions the handler calls: its function's role allows only these. */
  actions: string[];
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
    handler: listNotes,
  },
  {
    name: "createNote",
    method: "POST",
    path: "/users/{userId}/notes",
    table: "notes",
    actions: ["dynamodb:PutItem"],
    handler: createNote,
  },
  {
    name: "getNote",
    method: "GET",
    path: "/users/{userId}/notes/{noteId}",
    table: "notes",
    actions: ["dynamodb:GetItem"],
    handler: getNote,
  },
  {
    name: "updateNote",
    method: "PUT",
    path: "/users/{userId}/notes/{noteId}",
    table: "notes",
    actions: ["dynamodb:UpdateItem"],
    handler: updateNote,
  },
  {
    name: "deleteNote",
    method: "DELETE",
    path: "/users/{userId}/notes/{noteId}",
    table: "notes",
    actions: ["dynamodb:DeleteItem"],
    handler: deleteNote,
  },
  {
    name: "listMembers",
    method: "GET",
    path: "/members",
    table: "members",
    actions: ["dynamodb:Scan"],
    handler: listMembers,
  },
  {
    name: "shuffleMember",
    method: "POST",
    path: "/members",
    table: "members",
    actions: ["dynamodb:PutItem"],
    handler: shuffleMember,
  },
];
