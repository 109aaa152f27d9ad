// Ready-made events for `npm run invoke -- <function> --event sample:<name>`, one JSON file each
// under samples/events/. What differs per stack and per run is written as a placeholder and
// filled in from the stack the command reaches.
import * as fs from "node:fs";
import * as path from "node:path";
import type { StackContext } from "./control";
import { BadInput } from "./localCommand";
import { REPO_ROOT } from "./stackConfig";

export const SAMPLES_DIR = path.join(REPO_ROOT, "samples", "events");

/** Where a stack has no demo user, the notes routes' samples act as this (made-up) person. */
const NOBODY_SUB = "00000000-0000-4000-8000-000000000000";

/** The placeholders a sample may hold, and what each becomes. */
export const PLACEHOLDERS: Record<string, (context: StackContext) => string> = {
  demoUserSub: (c) => c.demoUserSub ?? NOBODY_SUB,
  stack: (c) => c.stack,
  region: (c) => c.region,
  account: (c) => c.account,
  notesBucket: (c) => String(c.outputs.notesBucketName ?? ""),
  now: () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
};

export function sampleNames(): string[] {
  return fs
    .readdirSync(SAMPLES_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

/** The sample's text, placeholders unfilled; a BadInput when there is no such sample. */
export function sampleText(name: string): string {
  if (!sampleNames().includes(name)) {
    throw new BadInput(`no sample event "${name}": the samples are ${sampleNames().join(", ")}`);
  }
  return fs.readFileSync(path.join(SAMPLES_DIR, `${name}.json`), "utf8");
}

/** The sample's event for this stack. */
export function fillSample(name: string, text: string, context: StackContext): unknown {
  const filled = text.replace(/\{\{(\w+)\}\}/g, (_, placeholder: string) => {
    const value = PLACEHOLDERS[placeholder];
    if (!value)
      throw new BadInput(`sample ${name} holds an unknown placeholder {{${placeholder}}}`);
    return value(context);
  });
  return JSON.parse(filled) as unknown;
}

/** One line saying what a sample is, read from the event itself. */
export function describeSample(text: string): string {
  const event = JSON.parse(text) as Record<string, unknown>;
  if (typeof event.httpMethod === "string") {
    return `API Gateway proxy event: ${event.httpMethod} ${String(event.resource)}`;
  }
  if (typeof event["detail-type"] === "string") {
    return `EventBridge "${event["detail-type"]}" event from ${String(event.source)}`;
  }
  return `a Step Functions task's input (${Object.keys(event).join(", ")})`;
}
