// The import workflow's second step: the upload cut into record-aligned parts, scanning it as it
// streams (app/csvParts.ts), so any size up to the limit needs a few chunks of memory.
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import type { Readable } from "node:stream";
import { partScanner } from "./csvParts";
import { sameVersion } from "./importRun";
import type { ImportObject, SplitResult } from "./importRun";

/** Bytes per part where the function's environment does not say: one Lambda loads it easily. */
export const DEFAULT_PART_BYTES = 8 * 1024 * 1024;

export function splitImport(): (input: { object: ImportObject }) => Promise<SplitResult> {
  const s3 = new S3Client({});
  const partBytes = Number(process.env.IMPORT_PART_BYTES ?? DEFAULT_PART_BYTES);
  return async ({ object }) => {
    const scanner = partScanner(partBytes);
    const out = await s3.send(new GetObjectCommand(sameVersion(object)));
    if (!out.Body) throw new Error(`s3://${object.bucket}/${object.key} has no body`);
    for await (const chunk of out.Body as Readable) scanner.push(chunk as Buffer);
    const { parts } = scanner.finish();
    console.log(`s3://${object.bucket}/${object.key}: ${parts.length} parts`);
    return { parts };
  };
}
