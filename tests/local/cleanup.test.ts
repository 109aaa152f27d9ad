// `npm start` leaves nothing behind: the folders its functions' archives are extracted to go
// with the stack (hundreds of /tmp/lambda-task-* once piled up from starts and tests).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLocalStack } from "../../local/localStack";

const taskFolders = () =>
  new Set(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("lambda-task-")));

describe("npm start cleans up after itself", function () {
  this.timeout(120_000);

  it("removes every extracted function archive when the stack closes", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "local-cleanup-"));
    const before = taskFolders();
    const local = await startLocalStack({
      stack: "dev",
      dataDir,
      ports: { site: 0, api: 0, dynamodb: 0 },
    });
    const ours = [...taskFolders()].filter((f) => !before.has(f));
    try {
      assert.equal(ours.length, local.app.functions.length, "one folder per function");
    } finally {
      await local.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    const left = ours.filter((f) => fs.existsSync(path.join(os.tmpdir(), f)));
    assert.deepEqual(left, []);
  });
});
