// `node -r engine/programHooks.js`: what the offline engine adds to the program's process, the
// way a user's `runtime.options.nodeargs` would, so that the many runs of `npm test` stay fast
// without changing what runs. `cmd/run` still registers ts-node with the options it derives
// from tsconfig.json; this only remembers outputs and walks that cannot differ within a run,
// and what an earlier run of the same inputs produced, and puts off what only a serialisation
// the cache does not answer needs (4, 2). SERVERLESS_NOTES_PROGRAM_CACHE=off keeps
// only what a run remembers within itself, as this file did before (the bench's baseline).
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const cacheDir = path.join(__dirname, "..", "node_modules", ".cache", "serverless-notes-program");
const acrossRuns = process.env.SERVERLESS_NOTES_PROGRAM_CACHE !== "off";

// 0. V8's compiled code for every module, kept on disk: compiling @pulumi/aws, the SDK and the
// TypeScript compiler is most of a warm run's start. Node 22 has its own cache; on Node 20,
// v8-compile-cache (the same cached data, through vm.Script) stands in. ts-node loads TypeScript
// through v8-compile-cache-lib, which reads the same variable: told nothing, it keeps its cache in
// the system's temp folder, in either mode.
process.env.V8_COMPILE_CACHE_CACHE_DIR = path.join(cacheDir, "v8");
if (acrossRuns) {
  if (Module.enableCompileCache) Module.enableCompileCache(path.join(cacheDir, "v8"));
  else require("v8-compile-cache");
}
const fromPulumi = Module.createRequire(require.resolve("@pulumi/pulumi"));

const sha256 = (...parts) => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex");
};

/** The cached text for `key` under `kind`, or undefined. */
function cached(kind, key) {
  try {
    return fs.readFileSync(path.join(cacheDir, kind, key), "utf8");
  } catch {
    return undefined;
  }
}

function remember(kind, key, text) {
  const file = path.join(cacheDir, kind, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Written whole then renamed, so a concurrent run never reads half a file.
  fs.writeFileSync(`${file}.${process.pid}`, text);
  fs.renameSync(`${file}.${process.pid}`, file);
}

// 1. ts-node's output, by content. Only in transpile-only runs: a type-checking run must see
// every file, so it compiles as the CLI does. The key holds the options cmd/run registered, the
// compiler's version, the file's name and its source.
const tsNode = fromPulumi("ts-node");
const register = tsNode.register;
tsNode.register = function (options) {
  const service = register.call(this, options);
  if (!service.options.transpileOnly) return service;
  const settings = sha256(JSON.stringify(options), service.ts.version);
  const compile = service.compile.bind(service);
  service.compile = (code, fileName, lineOffset) => {
    const key = `${sha256(settings, fileName, code)}.js`;
    const known = cached("", key);
    if (known !== undefined) return known;
    const output = compile(code, fileName, lineOffset);
    remember("", key, output);
    return output;
  };
  return service;
};

// 2. The npm package-tree walker (Arborist, with pacote and sigstore: a third of a second to
// load) is needed only when code paths are computed, which the cache below mostly answers: its
// module is handed to Pulumi's codePaths.js as a stand-in that loads it on first use. Each
// CallbackFunction walks the whole node_modules tree to find its packages; the tree cannot
// change during one run, so it is walked once per folder.
let arborist;
function loadArborist() {
  if (arborist) return arborist;
  arborist = fromPulumi("@npmcli/arborist");
  const loadActual = arborist.Arborist.prototype.loadActual;
  const trees = new Map();
  arborist.Arborist.prototype.loadActual = function (...args) {
    if (!trees.has(this.path)) trees.set(this.path, loadActual.apply(this, args));
    return trees.get(this.path);
  };
  return arborist;
}
const codePathsModule = path.join("@pulumi", "pulumi", "runtime", "closure", "codePaths.js");
if (acrossRuns) {
  const load = Module._load;
  Module._load = function (request, parent, ...rest) {
    if (request === "@npmcli/arborist" && parent?.filename?.endsWith(codePathsModule)) {
      // `__esModule`: codePaths.js's __importStar hands the object on as it is, getter included.
      return {
        __esModule: true,
        get Arborist() {
          return loadArborist().Arborist;
        },
      };
    }
    return load.call(this, request, parent, ...rest);
  };
} else {
  loadArborist();
}

// 3. Pulumi captures a stack trace for every resource and promise, and source-map support maps
// each one back to TypeScript: a second of the run for positions nobody reads here. Node's own
// formatting (no prepareStackTrace: the same frames, natively, twice as fast as formatting
// them here, as the baseline still does).
const plain = (error, frames) =>
  `${String(error)}${frames.map((frame) => `\n    at ${String(frame)}`).join("")}`;
const format = acrossRuns ? undefined : plain;
Object.defineProperty(Error, "prepareStackTrace", { get: () => format, set: () => {} });

// 4. The closure serialiser's inspector session. cmd/run opens it before the program loads
// (v8Hooks.isInitializedAsync) so that the Debugger.scriptParsed events map every script id to its
// file; with the debugger on, every module the program loads after is reported to it, a tenth of
// a warm run, for a serialiser the closure cache below mostly never calls. Here the session
// opens on the serialiser's first call instead, its listener attached before Debugger.enable:
// enabling the debugger fires scriptParsed "for all known and uncollected scripts"
// (https://chromedevtools.github.io/devtools-protocol/v8/Debugger/#event-scriptParsed), and a
// script whose function is being serialised is still alive. tests/engine/run.test.ts checks that
// a serialisation error still names the closure's file and line.
if (acrossRuns) {
  const v8Hooks = fromPulumi("@pulumi/pulumi/runtime/closure/v8Hooks");
  const urls = new Map();
  let session;
  const openSession = async () => {
    const inspector = require("node:inspector");
    const opened = new inspector.Session();
    opened.connect();
    opened.on("Debugger.scriptParsed", ({ params }) => urls.set(params.scriptId, params.url));
    await new Promise((resolve, reject) =>
      opened.post("Debugger.enable", (error) => (error ? reject(error) : resolve())),
    );
    return opened;
  };
  // v8.js and cmd/run call these through the module object, so replacing them here is enough.
  v8Hooks.isInitializedAsync = async () => {};
  v8Hooks.getSessionAsync = () => (session ??= openSession());
  v8Hooks.getScriptUrl = (id) => urls.get(id);
}

if (acrossRuns) {
  const runtime = fromPulumi("@pulumi/pulumi/runtime");
  const asset = fromPulumi("@pulumi/pulumi/asset");
  const root = process.cwd();
  const installed = ["node_modules/.package-lock.json", "package-lock.json", "package.json"]
    .map((file) => path.join(root, file))
    .filter((file) => fs.existsSync(file))
    .map((file) => sha256(file, fs.readFileSync(file)))
    .join();
  const run = sha256(
    fromPulumi("@pulumi/pulumi/package.json").version,
    process.version,
    installed,
    // The stack's config: the program is a function of it, its sources and its packages.
    process.env.PULUMI_CONFIG ?? "",
  );

  // 5. Serialised closures, by their inputs: the function's source, every file of the program
  // loaded when it is serialised (a captured value can only come from one of them), the
  // installed packages, the stack's config, the serialiser's version and options. A closure
  // with the same source as an earlier one of this run (one factory making several) is told
  // apart by its turn, which a run of the same program repeats. Secrets are never written.
  const sourceHashes = new Map();
  const programSources = () =>
    sha256(
      ...Object.keys(require.cache)
        .filter((file) => !file.includes(`${path.sep}node_modules${path.sep}`))
        .sort()
        .map((file) => {
          if (!sourceHashes.has(file)) {
            sourceHashes.set(file, fs.existsSync(file) ? sha256(fs.readFileSync(file)) : "");
          }
          return `${file}:${sourceHashes.get(file)}`;
        }),
    );
  const turns = new Map();
  const serializeFunction = runtime.serializeFunction;
  runtime.serializeFunction = function (func, args = {}) {
    const source = String(func);
    const turn = turns.get(source) ?? 0;
    turns.set(source, turn + 1);
    const settings = JSON.stringify(args, (_, v) => (typeof v === "function" ? String(v) : v));
    const key = `${sha256(run, programSources(), settings, source, String(turn))}.json`;
    const known = cached("closures", key);
    if (known !== undefined) return Promise.resolve(JSON.parse(known));
    const serialized = serializeFunction.call(this, func, args);
    return serialized.then((result) => {
      if (!result.containsSecrets) remember("closures", key, JSON.stringify(result));
      return result;
    });
  };

  // 6. Code paths, by their options and the installed packages: the walk's answer is a list of
  // files and folders, kept only while each still is what it was.
  const computeCodePaths = runtime.computeCodePaths;
  runtime.computeCodePaths = async function (options, ...rest) {
    if (rest.length || Array.isArray(options)) return computeCodePaths.call(this, options, ...rest);
    const { extraIncludePaths, extraIncludePackages, extraExcludePackages } = options ?? {};
    const asked = JSON.stringify([extraIncludePaths, extraIncludePackages, extraExcludePackages]);
    const key = `${sha256(run, root, asked)}.json`;
    const known = cached("codePaths", key);
    if (known !== undefined) {
      const entries = JSON.parse(known);
      const still = entries.every(([p, kind]) => {
        const stat = fs.statSync(p, { throwIfNoEntry: false });
        return stat && stat.isDirectory() === (kind === "folder");
      });
      if (still) {
        return new Map(
          entries.map(([p, kind]) => [
            p,
            kind === "folder" ? new asset.FileArchive(p) : new asset.FileAsset(p),
          ]),
        );
      }
    }
    const paths = await computeCodePaths.call(this, options);
    const entries = await Promise.all(
      [...paths].map(async ([p, value]) => [
        p,
        asset.FileArchive.isInstance(value) ? "folder" : "file",
        await value.path,
      ]),
    );
    // Only what can be rebuilt from a path: anything else is left to the next walk.
    if (entries.every(([p, , at]) => at === p)) {
      remember("codePaths", key, JSON.stringify(entries.map(([p, kind]) => [p, kind])));
    }
    return paths;
  };
}
