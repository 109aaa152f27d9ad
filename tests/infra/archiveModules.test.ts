import { strict as assert } from "node:assert";
import * as path from "node:path";
import { moduleFiles } from "../../infra/archiveModules";

const ROOT = path.join(__dirname, "..", "..");

describe("infra/archiveModules", () => {
  it("ships a module as the one file require resolves it to, with its package.json", () => {
    assert.deepEqual(moduleFiles(["csv-parse/sync"], ROOT), [
      "node_modules/csv-parse/package.json",
      "node_modules/csv-parse/dist/cjs/sync.cjs",
    ]);
    assert.deepEqual(moduleFiles([], ROOT), []);
  });

  it("refuses a module whose file requires other files: it cannot ship alone", () => {
    // csv-parse's stream entry point is self-contained too; mime's requires its own modules.
    assert.throws(
      () => moduleFiles(["mime"], ROOT),
      /mime \(.*\) requires .*: it cannot ship alone/,
    );
  });

  it("refuses a module the program's folder cannot resolve", () => {
    assert.throws(() => moduleFiles(["no-such-package/sync"], ROOT), /Cannot find module/);
  });

  it("resolves from the program, not the working directory, and refuses a working directory that would archive ../", () => {
    assert.throws(
      () => moduleFiles(["csv-parse/sync"], path.join(ROOT, "stacks")),
      /is not in .*stacks\/node_modules, and Pulumi archives code paths relative to the working directory/,
    );
  });
});
