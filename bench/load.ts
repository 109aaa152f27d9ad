// A load check of the local stack (`npm start`), part of `npm run bench`: concurrent clients
// create and list notes for a fixed time, each signed in as a user of its own (the notes routes
// sit behind the Cognito authorizer); then every created note must be stored exactly once.
// Usage: bench/load.ts [--clients 8] [--seconds 10]
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cognitoCall } from "../local/cognito";
import { startLocalStack } from "../local/localStack";
import type { LocalStack } from "../local/localStack";

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a whole number`);
  return value;
}

const CLIENTS = option("clients", 8);
const SECONDS = option("seconds", 10);
/** Every how many requests a client lists its notes instead of creating one. */
const LIST_EVERY = 4;

interface Caller {
  /** The user's `sub`: the `{userId}` of their notes' paths. */
  userId: string;
  /** The ID token the authorizer takes. */
  token: string;
}

interface ClientResult extends Caller {
  created: string[];
  latencies: number[];
  errors: string[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A confirmed user of the stack's pool, signed in. */
async function signedInUser(local: LocalStack, index: number): Promise<Caller> {
  const [pool] = local.app.userPools;
  const email = `load-${index}@example.com`;
  const password = `LoadNotes${index}x2024`;
  const userId = await local.cognito!.createUser(pool.id, email, password);
  const reply = await cognitoCall(local.cognito!.endpoint, "InitiateAuth", {
    AuthFlow: "USER_PASSWORD_AUTH",
    ClientId: pool.clients[0].id,
    AuthParameters: { USERNAME: email, PASSWORD: password },
  });
  return { userId, token: (reply.AuthenticationResult as { IdToken: string }).IdToken };
}

async function client(apiUrl: string, caller: Caller, until: number): Promise<ClientResult> {
  const result: ClientResult = { ...caller, created: [], latencies: [], errors: [] };
  for (let n = 0; Date.now() < until; n++) {
    const listing = n % LIST_EVERY === LIST_EVERY - 1;
    const text = `client ${caller.userId} note ${n}`;
    const started = performance.now();
    try {
      const response = await fetch(
        `${apiUrl}/users/${result.userId}/notes${listing ? "?limit=20" : ""}`,
        {
          method: listing ? "GET" : "POST",
          headers: {
            Authorization: caller.token,
            ...(listing ? {} : { "Content-Type": "application/json" }),
          },
          body: listing ? undefined : JSON.stringify({ note: text }),
        },
      );
      await response.text();
      result.latencies.push(performance.now() - started);
      if (response.status !== (listing ? 200 : 201)) {
        result.errors.push(`${listing ? "GET" : "POST"} ${response.status}`);
      } else if (!listing) {
        result.created.push(text);
      }
    } catch (err) {
      result.errors.push(String(err));
    }
  }
  return result;
}

/** Every note of a user, through the API's own pagination. */
async function allNotes(apiUrl: string, { userId, token }: Caller): Promise<string[]> {
  const notes: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response = await fetch(`${apiUrl}/users/${userId}/notes${query}`, {
      headers: { Authorization: token },
    });
    if (response.status !== 200) throw new Error(`listing ${userId}: ${response.status}`);
    const page = (await response.json()) as {
      notes: { note: string }[];
      nextCursor: string | null;
    };
    notes.push(...page.notes.map((n) => n.note));
    cursor = page.nextCursor;
  } while (cursor);
  return notes;
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "load-"));
  const local = await startLocalStack({
    stack: "dev",
    dataDir,
    ports: { site: 0, api: 0, dynamodb: 0 },
    // The bench measures how fast the local stack serves, not the stage's throttle (dev: 20/s).
    rewrite: (recorded) => {
      for (const r of recorded.resources) {
        if (r.type === "aws:apigateway/methodSettings:MethodSettings") {
          Object.assign(r.inputs.settings as object, {
            throttlingRateLimit: 100_000,
            throttlingBurstLimit: 5_000,
          });
        }
      }
    },
  });
  try {
    const callers = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => signedInUser(local, i)),
    );
    const until = Date.now() + SECONDS * 1000;
    const started = performance.now();
    const results = await Promise.all(callers.map((c) => client(local.apiUrl, c, until)));
    const elapsed = (performance.now() - started) / 1000;
    const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const errors = results.flatMap((r) => r.errors);

    let missing = 0;
    let duplicated = 0;
    let unexpected = 0;
    for (const r of results) {
      const stored = await allNotes(local.apiUrl, r);
      const counts = new Map<string, number>();
      for (const note of stored) counts.set(note, (counts.get(note) ?? 0) + 1);
      missing += r.created.filter((note) => !counts.has(note)).length;
      duplicated += [...counts.values()].filter((c) => c > 1).length;
      unexpected += [...counts.keys()].filter((note) => !r.created.includes(note)).length;
    }
    const created = results.reduce((sum, r) => sum + r.created.length, 0);

    console.log(`load: ${CLIENTS} clients for ${SECONDS} s against the local dev stack`);
    console.log(`  requests     ${latencies.length + errors.length} (${created} notes created)`);
    console.log(`  throughput   ${(latencies.length / elapsed).toFixed(1)} requests/s`);
    console.log(
      `  latency      p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
    );
    console.log(
      `  errors       ${errors.length}${errors.length ? ` (${[...new Set(errors)].slice(0, 3).join("; ")})` : ""}`,
    );
    console.log(
      `  stored       ${missing} missing, ${duplicated} duplicated, ${unexpected} unexpected`,
    );
    const ok =
      errors.length === 0 && missing === 0 && duplicated === 0 && unexpected === 0 && created > 0;
    console.log(`${ok ? "PASS" : "FAIL"}  no errors, and every created note stored exactly once`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await local.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
