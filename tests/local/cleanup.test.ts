// `npm start` leaves nothing behind: the folders its functions' archives are extracted to go
// with the stack (hundreds of /tmp/lambda-task-* once piled up from starts and tests).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLocalStack } from "../../local/localStack";

const ownFolders = (tmp: string) =>
  fs.readdirSync(tmp).filter((f) => /^(lambda-task-|lambda-runtime-|serverless-notes-)/.test(f));

describe("npm start cleans up after itself", function () {
  this.timeout(120_000);

  it("removes every extracted function archive when the stack closes", async () => {
    // A temp folder of this test's own (os.tmpdir() follows TMPDIR), so that other processes
    // on the machine cannot add to what is counted.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "local-cleanup-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const local = await startLocalStack({
        stack: "dev",
        dataDir: path.join(tmp, "data"),
        ports: { site: 0, api: 0, dynamodb: 0 },
      });
      const tasks = ownFolders(tmp).filter((f) => f.startsWith("lambda-task-"));
      try {
        assert.equal(tasks.length, local.app.functions.length, "one folder per function");
      } finally {
        await local.close();
      }
      assert.deepEqual(ownFolders(tmp), [], "nothing of the stack's is left in the temp folder");
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
