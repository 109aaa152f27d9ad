// How the SDK a function ships is built (sdkBundle.ts caches it and adds it to the archive): one
// esbuild run from the SDK's ES module build, split where the SDK itself loads a module lazily,
// then each chunk converted to CommonJS.
//
// Split, because esbuild without splitting wraps every module that an `import()` reaches, and
// every module those import, in a lazy initialiser (`__esm`), and so cannot drop the statements
// of a shared module the handler never uses: in one file, every init compiled the event-stream
// codec and the instance-metadata provider and ran the shared modules whole. With
// `splitting`, what only an `import()` reaches (the event-stream codec, the instance metadata
// provider) goes to chunks the runtime loads only if a call gets there, and the rest is hoisted
// into plain, tree-shaken scopes.
//
// CommonJS, because the runtime's `require` of an ES module goes through Node's ES module loader
// (slower to start: measured side by side, the ES module chunks lost what splitting saved), and
// because an `import()` of a package left to the runtime must become a `require()`: ES module
// resolution does not read NODE_PATH, where the runtime keeps its SDK.
import * as path from "node:path";
import type { BuildOptions, Metafile, OutputFile, Plugin } from "esbuild";
import { literalSchemaKeys } from "./sdkSchemaKeys";

/**
 * Left out of the bundle, loaded only if used, from the runtime's copy (on NODE_PATH): the
 * default credential chain's links after environment variables, which is where Lambda puts the
 * execution role's credentials, and what only they use. Each is reached through a dynamic
 * `import()` in the SDK (@aws-sdk/credential-provider-node defaultProvider/remoteProvider).
 */
export const LEFT_TO_THE_RUNTIME = [
  "@aws-sdk/credential-provider-http", // container credentials (ECS, EKS pod identity)
  "@aws-sdk/credential-provider-ini", // the shared config and credentials files
  "@aws-sdk/credential-provider-login", // `aws login` sessions, through the ini files
  "@aws-sdk/credential-provider-process", // `credential_process`
  "@aws-sdk/credential-provider-sso", // IAM Identity Center
  "@aws-sdk/credential-provider-web-identity", // OIDC tokens (AWS_WEB_IDENTITY_TOKEN_FILE)
  "@aws-sdk/nested-clients", // the STS, SSO, SSO-OIDC and sign-in clients those call
  "@aws-sdk/token-providers", // SSO bearer tokens
];

/** The entry chunk's name; the other chunks are `chunk-<hash>.js` and `<module>-<hash>.js`. */
export const ENTRY_FILE = "index.js";

/** Where the entry's text comes from: esbuild splits only entry points, never `stdin`. */
const ENTRY_NAMESPACE = "aws-sdk-entry";

function entryPlugin(entry: string, workingDir: string): Plugin {
  return {
    name: ENTRY_NAMESPACE,
    setup(build) {
      build.onResolve({ filter: /^aws-sdk-entry$/ }, () => ({
        path: "index",
        namespace: ENTRY_NAMESPACE,
      }));
      build.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, () => ({
        contents: entry,
        resolveDir: workingDir,
        loader: "js",
      }));
    },
  };
}

export function buildOptions(entry: string, workingDir: string, nodeMajor: number): BuildOptions {
  return {
    entryPoints: { index: ENTRY_NAMESPACE },
    // The metafile's paths are relative to it.
    absWorkingDir: workingDir,
    bundle: true,
    platform: "node",
    format: "esm",
    splitting: true,
    // Never written: `write` is off; the chunks' names are relative to it.
    outdir: "aws-sdk",
    chunkNames: "[name]-[hash]",
    target: `node${nodeMajor}`,
    // The SDK's ES module build: esbuild can drop what the handler never reaches only there.
    mainFields: ["module", "main"],
    minify: true,
    // Class and function names as the SDK set them: it compares some (`NoOpLogger`).
    keepNames: true,
    external: LEFT_TO_THE_RUNTIME,
    // Lets esbuild drop the schemas the handler never reaches (sdkSchemaKeys.ts).
    plugins: [entryPlugin(entry, workingDir), literalSchemaKeys],
    metafile: true,
    write: false,
    logLevel: "silent",
  };
}

/** True for the metafile's name of the entry itself, which is no file. */
export const isEntryInput = (input: string) => input.startsWith(`${ENTRY_NAMESPACE}:`);

export interface BuiltBundle {
  /** Each chunk's CommonJS text by its file name, ENTRY_FILE among them. */
  files: Record<string, string>;
  metafile: Metafile;
}

/**
 * One chunk as CommonJS: `import`s of other chunks and of Node's built-ins become `require()`,
 * and so does `import()` (of a lazy chunk or of a package left to the runtime), which then
 * resolves as CommonJS does, NODE_PATH included.
 */
async function commonJs(chunk: OutputFile, nodeMajor: number): Promise<string> {
  const esbuild = await import("esbuild");
  const result = await esbuild.transform(chunk.text, {
    format: "cjs",
    target: `node${nodeMajor}`,
    supported: { "dynamic-import": false },
    minifyWhitespace: true,
    logLevel: "silent",
  });
  return result.code;
}

/**
 * The chunks `files` loads from ENTRY_FILE on: esbuild keeps a chunk for an `import()` in code it
 * then drops as unused (the browser user-agent parser, `bowser`), which nothing would load.
 */
function reachable(files: Record<string, string>): Set<string> {
  const found = new Set<string>();
  const visit = (name: string) => {
    if (found.has(name) || files[name] === undefined) return;
    found.add(name);
    for (const match of files[name].matchAll(/require\("\.\/([\w-]+\.js)"\)/g)) visit(match[1]);
  };
  visit(ENTRY_FILE);
  return found;
}

export async function buildBundle(options: BuildOptions, nodeMajor: number): Promise<BuiltBundle> {
  const esbuild = await import("esbuild");
  const result = await esbuild.build(options);
  const converted: Record<string, string> = {};
  for (const chunk of result.outputFiles ?? []) {
    converted[path.basename(chunk.path)] = await commonJs(chunk, nodeMajor);
  }
  if (!converted[ENTRY_FILE]) throw new Error(`esbuild wrote no ${ENTRY_FILE}`);
  const shipped = reachable(converted);
  const files = Object.fromEntries(Object.entries(converted).filter(([name]) => shipped.has(name)));
  // Only the chunks shipped say which packages the bundle holds.
  const metafile = result.metafile as Metafile;
  const outputs = Object.fromEntries(
    Object.entries(metafile.outputs).filter(([output]) => shipped.has(path.basename(output))),
  );
  return { files, metafile: { ...metafile, outputs } };
}

/** What the steps above do, as text: a change to any of them is a new build. */
export const buildSteps = () =>
  [entryPlugin, commonJs, reachable, buildBundle].map(String).join("\n");
