// An S3 emulator (s3rver) on loopback for the notes bucket's functions. A function finds it
// through AWS_ENDPOINT_URL_S3; at an IP address the SDK addresses buckets path-style on its own.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";

/** The one key pair s3rver accepts; it checks signatures made with it. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

export interface TestS3 {
  endpoint: string;
  /** A client for arranging and inspecting buckets. */
  client: S3Client;
  close(): Promise<void>;
}

export async function startTestS3(buckets: string[], region: string): Promise<TestS3> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "s3-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    directory,
    silent: true,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region,
    credentials: S3RVER_CREDENTIALS,
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await server.close();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

export interface StoredObject {
  body: string;
  contentType?: string;
  metadata: Record<string, string>;
}

/** An object's body, content type and user metadata; undefined when there is none. */
export async function getObject(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<StoredObject | undefined> {
  try {
    const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return {
      body: (await out.Body?.transformToString("utf-8")) ?? "",
      contentType: out.ContentType,
      metadata: out.Metadata ?? {},
    };
  } catch (error) {
    if ((error as { name?: unknown }).name === "NoSuchKey") return undefined;
    throw error;
  }
}

/** Every key under a prefix, in order. */
export async function listKeys(
  client: S3Client,
  bucket: string,
  prefix: string,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => String(o.Key)));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}
