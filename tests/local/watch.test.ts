// What `npm start` watches to reload: a burst of saves is one change, dependencies and dotfiles
// are no change, a folder made after the start is watched too, and a change during a reload is
// exactly one more reload.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ignoredSource, watchProgram } from "../../local/watch";
import type { ProgramWatcher } from "../../local/watch";

/** Resolves with the next value pushed; values pushed before are taken first. */
function queue<T>() {
  const values: T[] = [];
  const waiting: ((value: T) => void)[] = [];
  return {
    push: (value: T) => {
      const next = waiting.shift();
      if (next) next(value);
      else values.push(value);
    },
    next: () =>
      new Promise<T>((resolve) => {
        const value = values.shift();
        if (value !== undefined) resolve(value);
        else waiting.push(resolve);
      }),
    get length() {
      return values.length;
    },
  };
}

describe("npm start's watch of the program", function () {
  this.timeout(30_000);
  let root: string;
  let watcher: ProgramWatcher | undefined;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "local-watch-"));
    fs.mkdirSync(path.join(root, "app", "node_modules"), { recursive: true });
  });
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
    fs.rmSync(root, { recursive: true, force: true });
  });
  const write = (file: string, text = "x") => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  };

  it("takes a burst of saves as one change, without dependencies and dotfiles", async () => {
    const changes = queue<string[]>();
    watcher = watchProgram({
      root,
      paths: ["app", "Pulumi.dev.yaml"],
      debounceMs: 150,
      onChange: async (files) => changes.push(files),
    });
    await watcher.ready;
    write("app/notes.ts");
    write("app/.notes.ts.swp");
    write("app/node_modules/dep/index.js");
    write("app/fresh/handler.ts");
    write("Pulumi.dev.yaml");
    write("Pulumi.prod.yaml");
    const files = await changes.next();
    assert.deepEqual(
      files.filter((f) => f !== path.join("app", "fresh")),
      ["Pulumi.dev.yaml", path.join("app", "fresh", "handler.ts"), path.join("app", "notes.ts")],
    );
    // A folder made after the start is watched like the others.
    write("app/fresh/handler.ts", "changed");
    assert.deepEqual(await changes.next(), [path.join("app", "fresh", "handler.ts")]);
  });

  it("runs one more reload for what changed during one, never two at once", async () => {
    const calls = queue<string[]>();
    let release = () => {};
    let running = 0;
    let overlapped = false;
    watcher = watchProgram({
      root,
      paths: ["app"],
      debounceMs: 50,
      onChange: async (files) => {
        running += 1;
        overlapped ||= running > 1;
        calls.push(files);
        await new Promise<void>((resolve) => (release = resolve));
        running -= 1;
      },
    });
    await watcher.ready;
    write("app/a.ts");
    assert.deepEqual(await calls.next(), [path.join("app", "a.ts")]);
    // Two bursts while the first reload runs: each past the debounce, both one reload after it.
    write("app/b.ts");
    await new Promise((resolve) => setTimeout(resolve, 300));
    write("app/c.ts");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(calls.length, 0, "nothing starts while a reload runs");
    release();
    assert.deepEqual(await calls.next(), [path.join("app", "b.ts"), path.join("app", "c.ts")]);
    release();
    assert.equal(overlapped, false);
  });

  it("ignores dependencies, the stack's data and dotfiles, at any depth", () => {
    assert.equal(ignoredSource(path.join("app", "node_modules", "x.js")), true);
    assert.equal(ignoredSource(path.join(".local", "dev", "dynamodb")), true);
    assert.equal(ignoredSource(path.join("site", ".index.html.swp")), true);
    assert.equal(ignoredSource(path.join("site", "index.html")), false);
    assert.equal(ignoredSource("Pulumi.dev.yaml"), false);
  });
});
