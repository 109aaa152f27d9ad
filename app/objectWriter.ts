// Writing an S3 object whose size is not known in advance, in bounded memory. The bytes are
// buffered up to one part: an object that ends within it is one PutObject; a larger one becomes a
// multipart upload whose parts go up as they fill, so memory holds about one part whatever the
// size. S3's limits ("Amazon S3 multipart upload limits",
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/qfacts.html): parts of 5 MiB to 5 GiB
// except the last, at most 10,000 of them; with 8 MiB parts an object may reach 78 GiB.
//
// Only the S3 client is used (the Lambda runtime provides it); @aws-sdk/lib-storage's Upload
// does the same, but it is neither part of this program's archives nor, as far as AWS documents,
// of the runtime. A failed upload is aborted; one whose function dies before it can abort is
// removed by the bucket's lifecycle rule (infra/notesBucket.ts).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import type { CompletedPart, S3Client } from "@aws-sdk/client-s3";

/** The size at which a part is sent. */
export const PART_BYTES = 8 * 1024 * 1024;
/** The buffer an object starts with. */
const FIRST_BUFFER_BYTES = 64 * 1024;
/** S3's smallest part (but the last). */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

export interface ObjectTarget {
  Bucket: string;
  Key: string;
  ContentType: string;
  ContentDisposition?: string;
}

export interface WrittenObject {
  bytes: number;
  /** 0 for an object sent whole with PutObject. */
  parts: number;
}

/** Appends to the object being written; resolves once the bytes are buffered or sent. */
export type Write = (chunk: string | Buffer) => Promise<void>;

/**
 * Writes `target` with whatever `fill` writes, in order, and resolves once the object is complete
 * in S3. If `fill` or an upload fails, the multipart upload is aborted and the error thrown: no
 * object, no parts left behind.
 */
export async function writeObject(
  s3: S3Client,
  target: ObjectTarget,
  fill: (write: Write) => Promise<void>,
  partBytes: number = PART_BYTES,
): Promise<WrittenObject> {
  if (!Number.isInteger(partBytes) || partBytes < MIN_PART_BYTES) {
    throw new Error(`a part of ${partBytes} bytes is smaller than S3's ${MIN_PART_BYTES}`);
  }
  const { Bucket, Key } = target;
  // One part's bytes, reused for every part: the text is encoded straight into it, so writing
  // leaves no buffers behind for the garbage collector (which would let them pile up outside
  // the heap's limit before it ran). Each part is sent before the next one is filled. It starts
  // small and doubles up to a part, so that a small object costs little.
  let part = Buffer.allocUnsafe(Math.min(partBytes, FIRST_BUFFER_BYTES));
  const encoder = new TextEncoder();
  let used = 0;
  let bytes = 0;
  let uploadId: string | undefined;
  const parts: CompletedPart[] = [];

  async function sendPart(): Promise<void> {
    if (uploadId === undefined) {
      const created = await s3.send(new CreateMultipartUploadCommand(target));
      if (!created.UploadId) throw new Error(`S3 started no upload of s3://${Bucket}/${Key}`);
      uploadId = created.UploadId;
    }
    const PartNumber = parts.length + 1;
    if (PartNumber > MAX_PARTS) {
      throw new Error(`s3://${Bucket}/${Key} needs more than S3's ${MAX_PARTS} parts`);
    }
    const sent = await s3.send(
      new UploadPartCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        PartNumber,
        Body: part.subarray(0, used),
      }),
    );
    parts.push({ PartNumber, ETag: sent.ETag });
    used = 0;
  }

  const write: Write = async (chunk) => {
    let rest = chunk;
    while (rest.length > 0) {
      if (typeof rest === "string") {
        // As much of the text as fits, in whole characters.
        const { read, written } = encoder.encodeInto(rest, part.subarray(used));
        used += written;
        bytes += written;
        rest = rest.slice(read);
      } else {
        const copied = rest.copy(part, used);
        used += copied;
        bytes += copied;
        rest = rest.subarray(copied);
      }
      if (rest.length === 0 && used < part.length) continue;
      if (part.length < partBytes) {
        const larger = Buffer.allocUnsafe(Math.min(partBytes, part.length * 2));
        part.copy(larger, 0, 0, used);
        part = larger;
      } else {
        // Full, or a character that does not fit in what is left: it goes into the next part.
        await sendPart();
      }
    }
  };

  try {
    await fill(write);
    if (uploadId === undefined) {
      await s3.send(new PutObjectCommand({ ...target, Body: part.subarray(0, used) }));
      return { bytes, parts: 0 };
    }
    if (used > 0) await sendPart();
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
    return { bytes, parts: parts.length };
  } catch (error) {
    if (uploadId !== undefined) {
      await s3
        .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
        .catch((abortError: unknown) =>
          console.error(`Could not abort the upload of s3://${Bucket}/${Key}`, abortError),
        );
    }
    throw error;
  }
}
