// Storing many items with BatchWriteItem: 25 per request, and the items DynamoDB hands back as
// unprocessed (throttling, partition limits) sent again after an exponential backoff with full
// jitter, a bounded number of times. Items still unprocessed after that fail the whole write.
import { BatchWriteItemCommand } from "@aws-sdk/client-dynamodb";
import type { AttributeValue, DynamoDBClient, WriteRequest } from "@aws-sdk/client-dynamodb";

/** DynamoDB's limit of requests in one BatchWriteItem. */
export const BATCH_SIZE = 25;

export interface RetryPolicy {
  /** Requests per batch, the first included. Default 8. */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles for each one after. Default 50 ms. */
  baseDelayMs: number;
  /** The largest backoff ceiling. Default 2 s. */
  maxDelayMs: number;
}

const DEFAULT_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 };

/** Full jitter: a uniformly random wait below the exponential ceiling of this retry. */
export function backoffMs(retry: number, policy: RetryPolicy, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * ceiling);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Puts every item into the table, in order, 25 at a time; throws if any is left unwritten. */
export async function putAll(
  client: DynamoDBClient,
  table: string,
  items: Record<string, AttributeValue>[],
  policy: RetryPolicy = DEFAULT_POLICY,
): Promise<void> {
  for (let first = 0; first < items.length; first += BATCH_SIZE) {
    const batch = items.slice(first, first + BATCH_SIZE);
    let pending: WriteRequest[] = batch.map((item) => ({ PutRequest: { Item: item } }));
    for (let attempt = 1; ; attempt++) {
      const out = await client.send(
        new BatchWriteItemCommand({ RequestItems: { [table]: pending } }),
      );
      pending = out.UnprocessedItems?.[table] ?? [];
      if (pending.length === 0) break;
      if (attempt >= policy.maxAttempts) {
        throw new Error(
          `BatchWriteItem left ${pending.length} of items ${first + 1}-${first + batch.length} ` +
            `unprocessed after ${attempt} attempts`,
        );
      }
      await sleep(backoffMs(attempt, policy));
    }
  }
}
