// `node -r ./local/transpileCache.js`: runs TypeScript as ts-node's transpile-only mode does, but
// keeps each file's output on disk by content, so an unchanged program starts without loading the
// compiler at all. The local engine runs the whole program on every start; this halves that.
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
// Beside the engine's caches (engine/programHooks.js), so that nothing is left in the system's
// temp folder and `rm -rf node_modules` clears it with everything else.
const cacheDir = path.join(root, "node_modules", ".cache", "serverless-notes-transpiled");
// ts-node loads TypeScript through v8-compile-cache-lib, which otherwise keeps V8's compiled code
// in the system's temp folder.
process.env.V8_COMPILE_CACHE_CACHE_DIR = path.join(
  root,
  "node_modules",
  ".cache",
  "v8-compile-cache-lib",
  process.versions.v8,
);
// The output depends on the compiler and its options as much as on the source.
const settings = createHash("sha256")
  .update(fs.readFileSync(path.join(root, "tsconfig.json")))
  .update(require(path.join(root, "node_modules", "typescript", "package.json")).version)
  .digest("hex");

let service;
function transpile(source, filename) {
  service ??= require("ts-node").create({
    transpileOnly: true,
    project: path.join(root, "tsconfig.json"),
  });
  return service.compile(source, filename);
}

require.extensions[".ts"] = function (module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = createHash("sha256").update(settings).update(filename).update(source).digest("hex");
  const cached = path.join(cacheDir, `${key}.js`);
  let output;
  try {
    output = fs.readFileSync(cached, "utf8");
  } catch {
    output = transpile(source, filename);
    fs.mkdirSync(cacheDir, { recursive: true });
    // Written whole then renamed, so a concurrent reader never sees half a file.
    const partial = `${cached}.${process.pid}`;
    fs.writeFileSync(partial, output);
    fs.renameSync(partial, cached);
  }
  module._compile(output, filename);
};
