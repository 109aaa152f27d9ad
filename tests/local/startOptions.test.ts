// `npm start`'s options: every form is handled, nothing is silently ignored, and the errors a
// newcomer meets (a busy port, a second start of the same stack) say what to do.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { DataDirInUse, lockDataDir } from "../../local/dataLock";
import { startLocalStack } from "../../local/localStack";
import { REPO_ROOT } from "../../local/stackConfig";
import { parseStartOptions } from "../../local/startOptions";

const run = promisify(execFile);

/** `npm start -- <args>` as a process: its exit code and what it printed. */
async function npmStart(args: string[]): Promise<{ code: number; output: string }> {
  const script = ["--no-warnings", "-r", "./local/transpileCache.js", "local/start.ts"];
  try {
    const { stdout, stderr } = await run(process.execPath, [...script, ...args], {
      cwd: REPO_ROOT,
      timeout: 60_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe("npm start's options", function () {
  this.timeout(120_000);

  it("reads both --opt value and --opt=value", () => {
    const options = parseStartOptions([
      "--stack=prod",
      "--port",
      "0",
      "--api-port=4001",
      "--fresh",
    ]);
    assert.deepEqual(options, {
      help: false,
      stack: "prod",
      fresh: true,
      inspect: false,
      watch: true,
      ports: { site: 0, api: 4001, dynamodb: 8000, s3: 4568 },
    });
    assert.deepEqual(parseStartOptions([]).ports, {
      site: 3000,
      api: 3001,
      dynamodb: 8000,
      s3: 4568,
    });
    assert.equal(parseStartOptions(["--s3-port=0"]).ports.s3, 0);
    assert.equal(parseStartOptions(["--inspect"]).inspect, true);
    assert.equal(parseStartOptions(["--no-watch"]).watch, false);
  });

  for (const [args, message] of [
    [["--bogus"], /Unknown option '--bogus'/],
    [["--stack"], /argument missing/],
    [["prod"], /Unexpected argument 'prod'/],
    [["--port", "http"], /--port takes a port number from 0 to 65535, not "http"/],
    [["--api-port=70000"], /--api-port takes a port number/],
    [["--s3-port", "65536"], /--s3-port takes a port number/],
  ] as const) {
    it(`refuses ${args.join(" ")}`, () => {
      assert.throws(() => parseStartOptions([...args]), message);
    });
  }

  it("prints the usage for --help and starts nothing", async () => {
    const { code, output } = await npmStart(["--help"]);
    assert.equal(code, 0);
    assert.match(output, /^Usage: npm start -- \[options\]/);
    const options = [
      "--stack",
      "--fresh",
      "--port",
      "--api-port",
      "--dynamodb-port",
      "--s3-port",
      "--inspect",
      "--no-watch",
    ];
    for (const option of options) {
      assert.ok(output.includes(option), option);
    }
    assert.match(output, /--fresh\s+delete the kept data/);
    assert.ok(!output.includes("is running"));
  });

  it("exits with the problem and the usage on an unknown option", async () => {
    const { code, output } = await npmStart(["--stak", "prod"]);
    assert.equal(code, 2);
    assert.match(output, /Unknown option '--stak'[\s\S]*Usage: npm start/);
  });

  for (const option of ["--api-port", "--s3-port"]) {
    it(`names the option that moves a busy port (${option})`, async () => {
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
      const { port } = busy.address() as net.AddressInfo;
      try {
        const ports = ["--port", "--api-port", "--dynamodb-port", "--s3-port"].flatMap((o) => [
          o,
          o === option ? String(port) : "0",
        ]);
        const { code, output } = await npmStart(ports);
        assert.equal(code, 1);
        assert.match(output, new RegExp(`Port ${port} is in use .* with ${option}\\.`));
      } finally {
        busy.close();
      }
    });
  }

  it("refuses a second start on the same data, before --fresh could delete it", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-lock-"));
    const first = await startLocalStack({ dataDir, ports: { site: 0, api: 0, dynamodb: 0 } });
    try {
      await assert.rejects(
        startLocalStack({ dataDir, fresh: true, ports: { site: 0, api: 0, dynamodb: 0 } }),
        (err: unknown) =>
          err instanceof DataDirInUse &&
          /is in use by another npm start \(pid \d+\)/.test(err.message),
      );
      assert.ok(fs.existsSync(dataDir), "the running stack's data is still there");
    } finally {
      await first.close();
    }
    // Closed, the folder is free again, and a lock left by a process that is gone is taken over.
    lockDataDir(dataDir)();
    fs.writeFileSync(`${dataDir}.pid`, "999999999");
    lockDataDir(dataDir)();
    assert.ok(!fs.existsSync(`${dataDir}.pid`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
