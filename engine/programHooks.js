// `node -r engine/programHooks.js`: what the offline engine adds to the program's process, the
// way a user's `runtime.options.nodeargs` would, so that the many runs of `npm test` stay fast
// without changing what runs. `cmd/run` still registers ts-node with the options it derives
// from tsconfig.json; this only remembers outputs and walks that cannot differ within a run.
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const { createRequire } = require("node:module");
const path = require("node:path");

const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "serverless-notes-program");

// 1. ts-node's output, by content. Only in transpile-only runs: a type-checking run must see
// every file, so it compiles as the CLI does. The key holds the options cmd/run registered, the
// compiler's version, the file's name and its source.
const tsNode = fromPulumi("ts-node");
const register = tsNode.register;
tsNode.register = function (options) {
  const service = register.call(this, options);
  if (!service.options.transpileOnly) return service;
  const settings = createHash("sha256")
    .update(JSON.stringify(options))
    .update(service.ts.version)
    .digest("hex");
  const compile = service.compile.bind(service);
  service.compile = (code, fileName, lineOffset) => {
    const key = createHash("sha256").update(settings).update(fileName).update(code).digest("hex");
    const cached = path.join(cacheDir, `${key}.js`);
    if (fs.existsSync(cached)) return fs.readFileSync(cached, "utf8");
    const output = compile(code, fileName, lineOffset);
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written whole then renamed, so a concurrent run never reads half a file.
    fs.writeFileSync(`${cached}.${process.pid}`, output);
    fs.renameSync(`${cached}.${process.pid}`, cached);
    return output;
  };
  return service;
};

// 2. Each CallbackFunction walks the whole node_modules tree to find its packages; the tree
// cannot change during one run, so it is walked once per folder.
const { Arborist } = fromPulumi("@npmcli/arborist");
const loadActual = Arborist.prototype.loadActual;
const trees = new Map();
Arborist.prototype.loadActual = function (...args) {
  if (!trees.has(this.path)) trees.set(this.path, loadActual.apply(this, args));
  return trees.get(this.path);
};

// 3. Pulumi captures a stack trace for every resource, and source-map support maps each one
// back to TypeScript: a second of the run for positions nobody reads here. Plain V8 frames.
const plain = (error, frames) =>
  `${String(error)}${frames.map((frame) => `\n    at ${String(frame)}`).join("")}`;
Object.defineProperty(Error, "prepareStackTrace", { get: () => plain, set: () => {} });
