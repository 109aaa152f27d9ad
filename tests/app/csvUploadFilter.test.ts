// S3 starts the import only for keys its notification filter lets through (prefix and suffix,
// compared case-sensitively); the handler and the bucket layout must take exactly those keys as
// CSV uploads, or an upload is silently never imported, or an output starts another import.
import { strict as assert } from "node:assert";
import { S3Client } from "@aws-sdk/client-s3";
import { IMPORTS_PREFIX, convertedKey } from "../../app/bucketLayout";
import { importNotes } from "../../app/importNotes";
import { objectCreatedEvent } from "../support/awsEvents";
import { forEachStack } from "../support/stackSuite";

const KEYS = [
  "imports/a.csv",
  "imports/a.CSV",
  "imports/a.Csv",
  "imports/a.json",
  "imports/a.errors.json",
  "other/a.csv",
];

interface Filter {
  filterPrefix?: string;
  filterSuffix?: string;
}

/** What S3 does with a notification filter: plain, case-sensitive startsWith and endsWith. */
function s3Sends(filter: Filter, key: string): boolean {
  return key.startsWith(filter.filterPrefix ?? "") && key.endsWith(filter.filterSuffix ?? "");
}

/** Whether the handler treats the key as an upload: it reads the object, or ignores it quietly. */
async function handlerImports(key: string): Promise<boolean> {
  const send = S3Client.prototype.send;
  const warn = console.warn;
  let read = false;
  S3Client.prototype.send = function () {
    read = true;
    return Promise.reject(new Error("stop: the handler reads the object"));
  } as typeof send;
  console.warn = () => undefined;
  try {
    const result = await importNotes()(objectCreatedEvent("notes-bucket", key, 10));
    assert.deepEqual(result, [], `${key}: ignored, yet a summary came back`);
  } catch (error) {
    if (!read) throw error;
  } finally {
    S3Client.prototype.send = send;
    console.warn = warn;
  }
  return read;
}

/** Whether the layout takes the key for an upload: under its prefix, outputs named as a CSV's. */
function layoutTakesAsCsv(key: string): boolean {
  const asCsv = convertedKey(key) === `${key.replace(/\.[^./]*$/, "")}.json`;
  return key.startsWith(IMPORTS_PREFIX) && asCsv && convertedKey(key) !== key;
}

forEachStack("The CSV upload filter", (graph) => {
  for (const key of KEYS) {
    it(`S3, the handler and the bucket layout agree on ${key}`, async () => {
      process.env.TABLE_NAME ??= "Notes";
      const notification = graph().resource("aws:s3/bucketNotification:BucketNotification");
      const [filter] = notification.inputs.lambdaFunctions as Filter[];
      const sent = s3Sends(filter, key);
      assert.equal(await handlerImports(key), sent, `handler vs S3 filter on ${key}`);
      assert.equal(layoutTakesAsCsv(key), sent, `bucket layout vs S3 filter on ${key}`);
    });
  }

  it("sends the upload of a lowercase .csv under imports/, and none of the import's outputs", () => {
    const notification = graph().resource("aws:s3/bucketNotification:BucketNotification");
    const [filter] = notification.inputs.lambdaFunctions as Filter[];
    assert.ok(s3Sends(filter, "imports/notes.csv"));
    for (const output of [convertedKey("imports/notes.csv"), "imports/notes.errors.json"]) {
      assert.ok(!s3Sends(filter, output), `${output} would start another import`);
    }
  });
});
