// The local stack's speed beside its floor, part of `npm run bench`: for get, list and create,
// concurrent clients (each signed in as a user of its own; autocannon, in a process of its own)
// call the local stack (`npm start`: gateway, authorizer, function workers, the IAM front,
// dynalite) and, interleaved in the same run, the same handlers are called in-process against a
// dynalite of their own (the floor: no HTTP in front, no worker, no IAM). Then every note created
// through the local stack must be stored exactly once.
// Usage: bench/load.ts [--clients 8] [--seconds 4] [--rounds 2] [--profile folder]
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as inspector from "node:inspector/promises";
import * as os from "node:os";
import * as path from "node:path";
import { cognitoCall } from "../local/cognito";
import { startLocalStack } from "../local/localStack";
import type { LocalStack } from "../local/localStack";
import { startFloor } from "./floor";
import type { Floor } from "./floor";
import type { LoadRequest, LoadResult } from "./loadClient";
import { option, percentile } from "./measure";

const CLIENTS = option("clients", 8);
const SECONDS = option("seconds", 4);
const ROUNDS = option("rounds", 2);
const PROFILE = process.argv.includes("--profile")
  ? process.argv[process.argv.indexOf("--profile") + 1]
  : undefined;
/** The issue's targets: the local stack at half the floor's throughput, p99 within twice its. */
const TARGET = { throughput: 0.5, p99: 2 };

export type Operation = "get" | "list" | "create";
const OPERATIONS: Operation[] = ["get", "list", "create"];
/** Notes each user has before the run, for get and list to read. */
const SEEDED = 20;

export interface Caller {
  /** The user's `sub`: the `{userId}` of their notes' paths. */
  userId: string;
  /** The ID token the authorizer takes. */
  token: string;
  /** Ids of the user's seeded notes, on each target. */
  noteIds: string[];
}

/** One target's answer to one request: its status, or why it failed. */
export type Call = (op: Operation, caller: Caller, n: number) => Promise<number>;

interface Sample {
  requests: number;
  seconds: number;
  latencies: number[];
  errors: string[];
}

const EXPECTED: Record<Operation, number> = { get: 200, list: 200, create: 201 };

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
  const token = (reply.AuthenticationResult as { IdToken: string }).IdToken;
  return { userId, token, noteIds: [] };
}

/** The local stack's side: autocannon in a process of its own (bench/loadClient.ts). */
function localLoad(local: LocalStack, created: Map<string, string[]>) {
  let runs = 0;
  return (op: Operation, callers: Caller[]): Promise<Sample> =>
    new Promise((resolve, reject) => {
      const child = fork(path.join(__dirname, "loadClient.ts"), [], {
        execArgv: ["--no-warnings", "-r", path.join(__dirname, "..", "local", "transpileCache.js")],
      });
      let answer: LoadResult | undefined;
      child.on("message", (result: LoadResult) => (answer = result));
      child.on("error", reject);
      child.on("exit", (code) => {
        if (!answer) return reject(new Error(`the load client exited with ${code}`));
        for (const [userId, texts] of Object.entries(answer.created)) {
          created.get(userId)?.push(...texts);
        }
        resolve({
          requests: answer.latencies.length,
          seconds: answer.seconds,
          latencies: answer.latencies,
          errors: answer.errors,
        });
      });
      const request: LoadRequest = {
        apiUrl: local.apiUrl,
        op,
        seconds: SECONDS,
        callers,
        runId: String(++runs),
      };
      child.send(request);
    });
}

/** Clients calling `call` with `op` for `seconds`, all at once. */
async function measure(call: Call, op: Operation, callers: Caller[]): Promise<Sample> {
  const until = Date.now() + SECONDS * 1000;
  const latencies: number[] = [];
  const errors: string[] = [];
  const started = performance.now();
  await Promise.all(
    callers.map(async (caller) => {
      for (let n = 0; Date.now() < until; n++) {
        const t = performance.now();
        try {
          const status = await call(op, caller, n);
          if (status === EXPECTED[op]) latencies.push(performance.now() - t);
          else errors.push(`${op} ${status}`);
        } catch (err) {
          errors.push(String(err));
        }
      }
    }),
  );
  return {
    requests: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies,
    errors,
  };
}

function merge(samples: Sample[]): Sample {
  return {
    requests: samples.reduce((s, x) => s + x.requests, 0),
    seconds: samples.reduce((s, x) => s + x.seconds, 0),
    latencies: samples.flatMap((x) => x.latencies).sort((a, b) => a - b),
    errors: samples.flatMap((x) => x.errors),
  };
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

/**
 * What storage shows of the notes created through the local stack: acknowledged ones lost or
 * stored twice are problems; stored ones never acknowledged are the requests still in flight
 * when a run's clock stopped (at most one per connection per run), counted apart.
 */
async function storageCheck(
  local: LocalStack,
  callers: Caller[],
  created: Map<string, string[]>,
): Promise<{ problems: string[]; inFlight: number }> {
  const problems: string[] = [];
  let inFlight = 0;
  for (const caller of callers) {
    const stored = await allNotes(local.apiUrl, caller);
    const counts = new Map<string, number>();
    for (const note of stored) counts.set(note, (counts.get(note) ?? 0) + 1);
    const acknowledged = new Set(created.get(caller.userId));
    for (const note of acknowledged) if (!counts.has(note)) problems.push(`missing: ${note}`);
    for (const [note, count] of counts) {
      if (count > 1) problems.push(`stored ${count} times: ${note}`);
      if (!acknowledged.has(note) && !note.startsWith("seed ")) inFlight++;
    }
  }
  return { problems, inFlight };
}

/** Seeds each caller's notes through `call`, remembering their ids. */
async function seed(callers: Caller[], create: (caller: Caller, text: string) => Promise<string>) {
  for (const caller of callers) {
    for (let i = 0; i < SEEDED; i++) caller.noteIds.push(await create(caller, `seed ${i}`));
  }
}

async function seedLocal(local: LocalStack, callers: Caller[]): Promise<void> {
  await seed(callers, async (caller, text) => {
    const response = await fetch(`${local.apiUrl}/users/${caller.userId}/notes`, {
      method: "POST",
      headers: { Authorization: caller.token, "Content-Type": "application/json" },
      body: JSON.stringify({ note: text }),
    });
    if (response.status !== 201) throw new Error(`seeding: ${response.status}`);
    return ((await response.json()) as { noteId: string }).noteId;
  });
}

function report(op: Operation, floor: Sample, local: Sample): boolean {
  const rate = (s: Sample) => s.requests / s.seconds;
  const p99 = (s: Sample) => percentile(s.latencies, 99);
  const throughput = rate(local) / rate(floor);
  const tail = p99(local) / p99(floor);
  const ok =
    throughput >= TARGET.throughput &&
    tail <= TARGET.p99 &&
    floor.errors.length + local.errors.length === 0;
  const row = (name: string, s: Sample) =>
    `    ${name.padEnd(6)} ${rate(s).toFixed(0).padStart(6)} req/s  p50 ${percentile(s.latencies, 50).toFixed(1).padStart(6)} ms  p99 ${p99(s).toFixed(1).padStart(6)} ms  errors ${s.errors.length}${s.errors.length ? ` (${[...new Set(s.errors)].slice(0, 2).join("; ")})` : ""}`;
  console.log(`  ${op}`);
  console.log(row("floor", floor));
  console.log(row("local", local));
  console.log(
    `    ${ok ? "PASS" : "FAIL"}   throughput ${throughput.toFixed(2)}× the floor (target ≥ ${TARGET.throughput}×), p99 ${tail.toFixed(2)}× (target ≤ ${TARGET.p99}×)`,
  );
  return ok;
}

/** Runs `work` under the inspector's CPU profiler, writing `<name>.cpuprofile` into PROFILE. */
async function profiled<T>(name: string, work: () => Promise<T>): Promise<T> {
  if (!PROFILE) return work();
  const session = new inspector.Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  try {
    return await work();
  } finally {
    const { profile } = await session.post("Profiler.stop");
    fs.mkdirSync(PROFILE, { recursive: true });
    fs.writeFileSync(path.join(PROFILE, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "load-"));
  let local: LocalStack | undefined;
  let floor: Floor | undefined;
  try {
    local = await startLocalStack({
      stack: "dev",
      dataDir: path.join(tmp, "local"),
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
      ...(PROFILE ? { workerExecArgv: [`--cpu-prof`, `--cpu-prof-dir=${PROFILE}`] } : {}),
    });
    floor = await startFloor(local.app, path.join(tmp, "floor"));
    const localCallers = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) => signedInUser(local!, i)),
    );
    const floorCallers = localCallers.map((c) => ({ ...c, noteIds: [] as string[] }));
    await seedLocal(local, localCallers);
    await seed(floorCallers, floor.create);
    const created = new Map(localCallers.map((c) => [c.userId, [] as string[]]));
    const floorCall = floor.call;
    const targets = {
      floor: (op: Operation, callers: Caller[]) => measure(floorCall, op, callers),
      local: localLoad(local, created),
    };

    console.log(
      `load: ${CLIENTS} clients, ${ROUNDS} interleaved rounds of ${SECONDS} s per operation and target`,
    );
    let ok = true;
    for (const op of OPERATIONS) {
      const samples: Record<"floor" | "local", Sample[]> = { floor: [], local: [] };
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which goes first, so neither always meets a warmer or busier machine.
        const order =
          round % 2 === 0 ? (["floor", "local"] as const) : (["local", "floor"] as const);
        for (const target of order) {
          const callers = target === "floor" ? floorCallers : localCallers;
          samples[target].push(
            await profiled(`${op}-${target}-${round}`, () => targets[target](op, callers)),
          );
        }
      }
      ok = report(op, merge(samples.floor), merge(samples.local)) && ok;
    }
    const { problems, inFlight } = await storageCheck(local, localCallers, created);
    if (inFlight > CLIENTS * ROUNDS) problems.push(`${inFlight} stored but never acknowledged`);
    const createdCount = [...created.values()].reduce((s, c) => s + c.length, 0);
    console.log(
      `  stored  ${createdCount} notes acknowledged by the local stack: ${problems.length === 0 ? "each stored exactly once" : problems.slice(0, 3).join("; ")} (${inFlight} more stored while the clock stopped)`,
    );
    ok = ok && problems.length === 0 && createdCount > 0;
    console.log(`${ok ? "PASS" : "FAIL"}  load: targets met, no errors, exactly-once storage`);
    process.exitCode = ok ? 0 : 1;
  } finally {
    await floor?.close();
    await local?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
