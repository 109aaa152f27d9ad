// Function workers run on the Node.js major of the declared Lambda runtime, not the host's.
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { nodeFor, runtimeMajor } from "../../local/nodeRuntime";

describe("the Node.js a function runs on", () => {
  it("reads the major from the Lambda runtime's name", () => {
    assert.equal(runtimeMajor("nodejs24.x"), 24);
    assert.equal(runtimeMajor("nodejs22.x"), 22);
    assert.equal(runtimeMajor("python3.13"), undefined);
  });

  it("is Node.js 24 for nodejs24.x, from the node-linux package where the host runs another", () => {
    const node = nodeFor("nodejs24.x");
    assert.equal(node.warning, undefined, node.warning);
    assert.match(node.version, /^v24\./);
    assert.equal(
      execFileSync(node.execPath, ["--version"], { encoding: "utf8" }).trim(),
      node.version,
    );
  });

  it("falls back to the host's Node.js with a warning that says why", () => {
    for (const [runtime, why] of [
      ["nodejs99.x", /nodejs99\.x: node-linux-\w+ holds Node\.js v24\.\S+, not 99/],
      ["python3.13", /python3\.13: not a Node\.js runtime/],
    ] as const) {
      const node = nodeFor(runtime);
      assert.equal(node.execPath, process.execPath);
      assert.match(node.warning ?? "", why);
      assert.match(node.warning ?? "", /functions run on this machine's Node\.js/);
    }
  });
});
