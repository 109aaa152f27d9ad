// The rewrite that lets esbuild drop the SDK schemas a handler never reaches
// (infra/sdkSchemaKeys.ts): it must change how the schemas are written, never what they are.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as esbuild from "esbuild";
import { literalKeys, literalSchemaKeys, SCHEMA_FILE } from "../../infra/sdkSchemaKeys";

const ROOT = path.join(__dirname, "..", "..");

/** Every export of the module `file`, bundled with or without the rewrite, as plain data. */
async function exportsOf(file: string, rewrite: boolean): Promise<unknown> {
  const result = await esbuild.build({
    stdin: { contents: `export * from ${JSON.stringify(file)};`, resolveDir: ROOT },
    bundle: true,
    platform: "node",
    format: "cjs",
    mainFields: ["module", "main"],
    plugins: rewrite ? [literalSchemaKeys] : [],
    write: false,
    logLevel: "silent",
  });
  const module = { exports: {} as Record<string, unknown> };
  new Function("module", "exports", "require", result.outputFiles[0].text)(
    module,
    module.exports,
    require,
  );
  // Schemas refer to each other through thunks (`() => GetObjectOutput$`) and in cycles: each
  // thunk is followed once, and an object seen before is written as its turn.
  const seen = new Map<object, number>();
  const data = (value: unknown): unknown => {
    if (typeof value === "function") {
      if (/^class\b/.test(Function.prototype.toString.call(value))) return `class ${value.name}`;
      value = (value as () => unknown)();
    }
    if (value === null || typeof value !== "object") return value;
    const known = seen.get(value);
    if (known !== undefined) return `#${known}`;
    seen.set(value, seen.size);
    if (Array.isArray(value)) return value.map(data);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, data(v)]));
  };
  return data(module.exports);
}

describe("infra/sdkSchemaKeys", () => {
  it("writes a computed key naming a string constant as that string", () => {
    const text = `const _e = "error";\nconst _hE = "httpError";\nexport var A$ = [-3, n0, _A, { [_e]: _c, [_hE]: 403 }, [], []];\n`;
    assert.equal(
      literalKeys(text),
      `const _e = "error";\nconst _hE = "httpError";\nexport var A$ = [-3, n0, _A, { "error": _c, "httpError": 403 }, [], []];\n`,
    );
  });

  it("leaves what is not such a key: an index, a name declared twice, a constant not a string", () => {
    const text = [
      `const _a = "a";`,
      `const _b = 2;`,
      `const _c = "c";`,
      `function f(x) { const _c = "other"; return { [_c]: x }; }`,
      `const v = t ? o[_a]: o;`,
      `const w = { [_b]: 1, [_z]: 2, [_a]: 3 };`,
    ].join("\n");
    assert.equal(
      literalKeys(text),
      text.replace(`{ [_b]: 1, [_z]: 2, [_a]: 3 }`, `{ [_b]: 1, [_z]: 2, "a": 3 }`),
    );
  });

  for (const client of ["client-s3", "client-dynamodb"]) {
    it(`rewrites ${client}'s installed schemas to the very same schemas`, async function () {
      this.timeout(60_000);
      const file = require.resolve(`@aws-sdk/${client}/dist-es/schemas/schemas_0.js`, {
        paths: [ROOT],
      });
      assert.match(file, SCHEMA_FILE);
      const text = fs.readFileSync(file, "utf8");
      assert.notEqual(literalKeys(text), text, "there are keys to rewrite");
      const [before, after] = await Promise.all([exportsOf(file, false), exportsOf(file, true)]);
      assert.ok(Object.keys(before as object).length > 50, "the schemas are there to compare");
      assert.deepEqual(after, before);
    });
  }
});
