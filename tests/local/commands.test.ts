// `npm run invoke` and `npm run schedule`: against a running stack through its control file, or
// standing the stack up themselves when none runs; bad input exits 2 with a message that says
// what is wrong, and a function that fails exits 1.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { promisify } from "node:util";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { scheduledExportKey } from "../../app/bucketLayout";
import { invokeCommand } from "../../local/invoke";
import { startLocalStack } from "../../local/localStack";
import type { LocalStack } from "../../local/localStack";
import { scheduleCommand } from "../../local/schedule";
import { REPO_ROOT } from "../../local/stackConfig";

const run = promisify(execFile);
const DEMO = { email: "demo@example.com", password: "DemoNotes2024" };

/** A command run in this process, with its own streams and data folder: exit code and output. */
async function command(
  which: typeof invokeCommand,
  args: string[],
  dataDir: string,
  stdin = "",
): Promise<{ code: number; stdout: string; stderr: string }> {
  const capture = () => {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
  };
  const stdout = capture();
  const stderr = capture();
  const code = await which(args, {
    stdout: stdout.stream,
    stderr: stderr.stream,
    stdin: Readable.from([stdin]),
    dataDir: () => dataDir,
  });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe("npm run invoke and npm run schedule", function () {
  this.timeout(180_000);
  // Made in a hook, not as the suite is declared: a run that --grep filters out never makes it,
  // where it would never run the `after` that removes it.
  let dataDir: string;
  before(() => (dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-commands-"))));
  let local: LocalStack | undefined;
  after(async () => {
    await local?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  describe("against a running npm start", () => {
    before(async () => {
      local = await startLocalStack({
        stack: "dev",
        dataDir,
        ports: { site: 0, api: 0, dynamodb: 0, s3: 0 },
        demoUser: DEMO,
      });
    });

    it("invokes a function with a sample event carrying the demo user's claims", async () => {
      const { code, stdout, stderr } = await command(
        invokeCommand,
        ["createNote", "--event", "sample:createNote"],
        dataDir,
      );
      assert.equal(code, 0, stderr);
      assert.ok(!stderr.includes("stood up"), "it used the running stack");
      assert.match(stderr, /^\[serverless-notes-dev-createNote\] START RequestId: /m);
      assert.match(
        stderr,
        /^\[serverless-notes-dev-createNote\] REPORT RequestId: .*\tMemory Size: 128 MB\tMax Memory Used: \d+ MB/m,
      );
      const result = JSON.parse(stdout) as { statusCode: number; body: string };
      assert.equal(result.statusCode, 201);
      const note = JSON.parse(result.body) as { userId: string; note: string };
      assert.deepEqual([note.userId, note.note], [local?.demoUserSub, "Written by npm run invoke"]);

      // The same note, listed through the function behind GET, by the function's full name.
      const listed = await command(
        invokeCommand,
        ["serverless-notes-dev-listNotes", "--event", "sample:listNotes"],
        dataDir,
      );
      assert.equal(listed.code, 0, listed.stderr);
      assert.match(
        (JSON.parse(listed.stdout) as { body: string }).body,
        /Written by npm run invoke/,
      );
    });

    it("reads an event from a file or from stdin", async () => {
      const file = path.join(dataDir, "event.json");
      fs.writeFileSync(
        file,
        JSON.stringify({ httpMethod: "GET", resource: "/members", path: "/members" }),
      );
      const fromFile = await command(invokeCommand, ["listMembers", "--event", file], dataDir);
      assert.equal(fromFile.code, 0, fromFile.stderr);
      assert.equal((JSON.parse(fromFile.stdout) as { statusCode: number }).statusCode, 200);
      const fromStdin = await command(
        invokeCommand,
        ["listMembers", "--event", "-"],
        dataDir,
        fs.readFileSync(file, "utf8"),
      );
      assert.deepEqual(JSON.parse(fromStdin.stdout), JSON.parse(fromFile.stdout));
    });

    it("exits 1 with the function's error when it fails", async () => {
      const { code, stdout, stderr } = await command(invokeCommand, ["importSplit"], dataDir);
      assert.equal(code, 1);
      assert.equal(stdout, "");
      assert.match(stderr, /serverless-notes-dev-importSplit failed: TypeError: /);
    });

    it("exits 2 on bad input, saying what is wrong", async () => {
      const unreadable = path.join(dataDir, "missing.json");
      const broken = path.join(dataDir, "broken.json");
      fs.writeFileSync(broken, "{ not json");
      const cases: [string[], RegExp, string?][] = [
        [
          ["nosuchFunction"],
          /the dev stack declares no function or state machine nosuchFunction; it declares .*serverless-notes-dev-createNote.*serverless-notes-dev-importNotes/,
        ],
        [
          ["createNote", "--event", "sample:nope"],
          /no sample event "nope": the samples are .*createNote/,
        ],
        [
          ["createNote", "--event", unreadable],
          /cannot read the event file .*missing\.json: ENOENT/,
        ],
        [["createNote", "--event", broken], /the event in .*broken\.json is not JSON/],
        [["createNote", "--event", "-"], /the event in stdin is not JSON/, "{"],
        [[], /name the function to invoke/],
        [["createNote", "listNotes"], /one function at a time/],
        [["createNote", "--evnt", "x"], /Unknown option '--evnt'/],
        [
          ["createNote", "--stack", "staging"],
          /no stack staging: there is no Pulumi\.staging\.yaml/,
        ],
      ];
      for (const [args, message, stdin] of cases) {
        const { code, stderr } = await command(invokeCommand, args, dataDir, stdin);
        assert.equal(code, 2, args.join(" "));
        assert.match(stderr, message, args.join(" "));
      }
      const { code, stderr } = await command(scheduleCommand, [], dataDir);
      assert.equal(code, 2);
      assert.match(stderr, /the dev stack declares no scheduled rule/);
    });

    it("refuses a control request without the stack's token", async () => {
      const { url } = JSON.parse(fs.readFileSync(path.join(dataDir, "control.json"), "utf8")) as {
        url: string;
      };
      const refused = await fetch(`${url}/invoke`, {
        method: "POST",
        headers: { Authorization: "Bearer guessed" },
        body: JSON.stringify({ function: "createNote", event: {} }),
      });
      assert.equal(refused.status, 401);
    });
  });

  describe("with no npm start of the stack running", () => {
    before(async () => {
      await local?.close();
      local = undefined;
    });

    it("stands the stack up for the call, on the kept data, and leaves nothing running", async () => {
      const { code, stdout, stderr } = await command(
        invokeCommand,
        ["listNotes", "--event", "sample:listNotes"],
        dataDir,
      );
      assert.equal(code, 0, stderr);
      assert.match(
        stderr,
        /no npm start of dev is running: the stack was stood up for this command in [\d.]+ s/,
      );
      // The demo user is made anew at each start: the kept note is someone else's now.
      assert.equal((JSON.parse(stdout) as { statusCode: number }).statusCode, 200);
      assert.ok(!fs.existsSync(path.join(dataDir, "control.json")));
      assert.ok(!fs.existsSync(`${dataDir}.pid`), "the data folder is free again");
    });

    it("exits 2 as a process, before standing anything up, on a sample that does not exist", async () => {
      const script = ["--no-warnings", "-r", "./local/transpileCache.js", "local/invoke.ts"];
      const failure = await run(
        process.execPath,
        [...script, "createNote", "--event", "sample:nope"],
        { cwd: REPO_ROOT },
      ).then(
        () => assert.fail("it exited 0"),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(failure.code, 2);
      assert.match(failure.stderr, /no sample event "nope"/);
      const help = await run(process.execPath, [...script, "--help"], { cwd: REPO_ROOT });
      assert.match(help.stdout, /^Usage: npm run invoke -- <function>/);
      for (const sample of ["createNote", "s3-object-created", "schedule", "import-load-part"]) {
        assert.match(help.stdout, new RegExp(`^  ${sample} +\\S`, "m"), sample);
      }
    });
  });

  describe("against a running npm start of prod", () => {
    it("fires the prod stack's scheduled export, which writes each user's notes", async () => {
      const prodDir = `${dataDir}-prod`;
      const prod = await startLocalStack({
        stack: "prod",
        dataDir: prodDir,
        ports: { site: 0, api: 0, dynamodb: 0, s3: 0 },
      });
      const s3 = new S3Client({
        endpoint: prod.s3Endpoint,
        region: prod.app.region,
        credentials: prod.s3Credentials,
      });
      try {
        const created = await command(
          invokeCommand,
          ["createNote", "--stack", "prod", "--event", "sample:createNote"],
          prodDir,
        );
        assert.equal(created.code, 0, created.stderr);
        const { userId } = JSON.parse((JSON.parse(created.stdout) as { body: string }).body) as {
          userId: string;
        };
        const fired = await command(scheduleCommand, ["--stack", "prod"], prodDir);
        assert.equal(fired.code, 0, fired.stderr);
        assert.match(
          fired.stdout,
          /^serverless-notes-prod-scheduledExport → arn:aws:states:[^ ]*:execution:serverless-notes-prod-scheduledExport:[^ ]+: SUCCEEDED$/m,
        );
        const summary = JSON.parse(fired.stdout.slice(fired.stdout.indexOf("{"))) as {
          date: string;
          users: number;
          notes: number;
        };
        assert.deepEqual([summary.users, summary.notes], [1, 1]);
        const stored = await s3.send(
          new GetObjectCommand({
            Bucket: String(prod.app.outputs.notesBucketName),
            Key: scheduledExportKey(summary.date, userId),
          }),
        );
        const exported = JSON.parse(String(await stored.Body?.transformToString())) as {
          notes: { note: string }[];
        };
        assert.deepEqual(
          exported.notes.map((n) => n.note),
          ["Written by npm run invoke"],
        );
        const unknown = await command(scheduleCommand, ["--stack", "prod", "hourly"], prodDir);
        assert.equal(unknown.code, 2);
        assert.match(
          unknown.stderr,
          /no scheduled rule hourly: the scheduled rules are serverless-notes-prod-scheduledExport/,
        );
      } finally {
        s3.destroy();
        await prod.close();
        fs.rmSync(prodDir, { recursive: true, force: true });
      }
    });
  });
});
