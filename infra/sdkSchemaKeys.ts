// The SDK's generated schemas (`@aws-sdk/client-*/dist-es/schemas/schemas_0.js`) key their
// traits with the file's string constants: `const _hE = "httpError"; … { [_e]: _c, [_hE]: 403 }`.
// esbuild keeps an object literal with a computed key, since evaluating a key could have side
// effects (evanw/esbuild#4373, raised from aws/aws-sdk-js-v3#7607), and with it every schema the
// literal's schema refers to: 66 KB of a 330 KB S3 bundle for a handler of three commands, every
// schema of the service built at init. Written out as the strings they name, the keys let esbuild
// drop what the handler never reaches (the bundle then holds 10 KB of S3's schemas).
import * as fs from "node:fs";
import type { Plugin } from "esbuild";

/** The files the plugin rewrites: each client's generated schemas, ES module build. */
export const SCHEMA_FILE =
  /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/**
 * `text` with each computed key `[_name]` written as the string `_name` holds, where `_name` is
 * declared once in the file, as `const _name = "…";` on a line of its own; anything else stays.
 */
export function literalKeys(text: string): string {
  const strings = new Map<string, string>();
  for (const match of text.matchAll(/^const (_[\w$]*) = ("[^"\\\n]*");$/gm)) {
    strings.set(match[1], match[2]);
  }
  const declarations = new Map<string, number>();
  for (const match of text.matchAll(/\b(?:const|let|var|function|class)\s+(_[\w$]*)\b/g)) {
    declarations.set(match[1], (declarations.get(match[1]) ?? 0) + 1);
  }
  // Only a key: after `{` or `,`, so an index such as `a[_x]: b` in a conditional stays.
  return text.replace(/([{,]\s*)\[(_[\w$]*)\]\s*:/g, (key, before: string, name: string) => {
    const value = strings.get(name);
    return value === undefined || declarations.get(name) !== 1 ? key : `${before}${value}:`;
  });
}

/** The esbuild plugin: rewrites SCHEMA_FILE files as they load. */
export const literalSchemaKeys: Plugin = {
  name: "literal-schema-keys",
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, async ({ path }) => ({
      contents: literalKeys(await fs.promises.readFile(path, "utf8")),
      loader: "js",
    }));
  },
};
