// Loaded by .mocharc before ts-node: ts-node loads TypeScript through v8-compile-cache-lib, which
// otherwise keeps V8's compiled code in the system's temp folder, and a test run leaves nothing
// there (local/transpileCache.js does the same for npm start, the bench and the plan).
const path = require("node:path");

process.env.V8_COMPILE_CACHE_CACHE_DIR = path.join(
  __dirname,
  "..",
  "..",
  "node_modules",
  ".cache",
  "v8-compile-cache-lib",
  process.versions.v8,
);
