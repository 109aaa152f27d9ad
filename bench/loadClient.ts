// The load bench's HTTP clients, in a process of their own (forked by bench/load.ts), so that the
// local stack's process is measured serving requests rather than also making them, as it is when
// a browser calls `npm start`. autocannon drives the connections: one per client, each signed in
// as its own user, one request at a time; it is the maintained Node.js HTTP load tool, and far
// cheaper per request than fetch.
import autocannon from "autocannon";

export interface LoadRequest {
  apiUrl: string;
  op: "get" | "list" | "create";
  seconds: number;
  callers: { userId: string; token: string; noteIds: string[] }[];
  /** Makes each created note's text unique across runs. */
  runId: string;
}

export interface LoadResult {
  seconds: number;
  /** Latencies of the answers with the expected status, in milliseconds. */
  latencies: number[];
  errors: string[];
  /** Texts of the notes the API acknowledged creating, by user. */
  created: Record<string, string[]>;
}

const EXPECTED = { get: 200, list: 200, create: 201 } as const;

function run(request: LoadRequest): Promise<LoadResult> {
  const { op, callers } = request;
  const latencies: number[] = [];
  const errors: string[] = [];
  const created: Record<string, string[]> = Object.fromEntries(callers.map((c) => [c.userId, []]));
  let sent = 0;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: request.apiUrl,
        connections: callers.length,
        pipelining: 1,
        duration: request.seconds,
        requests: [
          {
            // autocannon starts each request with a fresh context, so who asks and the note's
            // text come from one counter shared by every connection.
            setupRequest: (req) => {
              const n = ++sent;
              const { userId, token, noteIds } = callers[n % callers.length];
              const base = `${new URL(request.apiUrl).pathname}/users/${userId}/notes`;
              return {
                ...req,
                method: op === "create" ? "POST" : "GET",
                path:
                  op === "get"
                    ? `${base}/${noteIds[n % noteIds.length]}`
                    : op === "list"
                      ? `${base}?limit=20`
                      : base,
                headers: {
                  authorization: token,
                  ...(op === "create" ? { "content-type": "application/json" } : {}),
                },
                body:
                  op === "create"
                    ? JSON.stringify({ note: `note ${request.runId}-${n} of ${userId}` })
                    : undefined,
              };
            },
            // A created note's answer holds its text, which names its user.
            onResponse: (status, body) => {
              if (status !== EXPECTED[op]) errors.push(`${op} ${status}`);
              else if (op === "create") {
                const text = (JSON.parse(body) as { note: string }).note;
                created[text.slice(text.lastIndexOf(" of ") + 4)]?.push(text);
              }
            },
          },
        ],
      },
      (error, result) => {
        if (error) reject(error);
        else {
          for (let i = 0; i < result.errors; i++) errors.push("connection error");
          resolve({ seconds: result.duration, latencies, errors, created });
        }
      },
    );
    instance.on("response", (_client, status, _bytes, responseTime) => {
      if (status === EXPECTED[op]) latencies.push(responseTime);
    });
  });
}

process.on("message", (request: LoadRequest) => {
  run(request).then(
    (result) => process.send?.(result, () => process.disconnect()),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
