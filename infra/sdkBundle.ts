// The AWS SDK a function ships: the code its handler was tested with, rather than whatever SDK the
// Lambda runtime carries that month through internal paths (`…/dist-cjs/index.js`) no test saw.
// The SDK modules the serialised handler requires (sdkImports.ts) are bundled once with esbuild
// from their ES module build, tree-shaken to the exports the handler reads and minified, into
// `node_modules/.aws-sdk/index.js` and the chunks it loads (sdkBuild.ts); each required
// specifier becomes a one-line file at the path it names in the archive's `node_modules`, beside
// its package's package.json. The serialised `require` finds these first: Node searches the
// requiring file's node_modules folders, the task root's included, and only then NODE_PATH
// ("if they are not found elsewhere",
// https://nodejs.org/api/modules.html#loading-from-the-global-folders), which is where the
// runtime keeps its own SDK (the nodejs24.x bootstrap exports NODE_PATH=/opt/nodejs/node24/
// node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task; the
// runtime interface client loads the handler file by its path, aws-lambda-nodejs-runtime-
// interface-client src/function/module-loader.ts). One bundle rather than one per package: a
// handler of DynamoDB and S3 would otherwise load and ship the SDK's core twice.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { BuildOptions, Metafile } from "esbuild";
import { packageFolder } from "./archiveModules";
import { buildBundle, buildOptions, buildSteps, ENTRY_FILE, isEntryInput } from "./sdkBuild";
import { sdkImports } from "./sdkImports";
import type { SdkImport } from "./sdkImports";
import { literalKeys } from "./sdkSchemaKeys";

export { LEFT_TO_THE_RUNTIME } from "./sdkBuild";

/** Where the bundle sits in the archive; a package.json beside it lists what it holds. */
export const BUNDLE_DIR = "node_modules/.aws-sdk";

/** A built bundle: its folder and files, and the version of every package whose code it holds. */
interface Bundle {
  dir: string;
  files: string[];
  packages: Record<string, string>;
}

/** One module in the bundle: what esbuild imports, and the exports it keeps. */
interface BundledModule {
  source: string;
  names?: string[];
  /** The handler's specifiers that resolve to it, each with its installed file. */
  uses: { imported: SdkImport; file: string; packageDir: string }[];
}

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");

/** File hashes within one run: the installed packages do not change under a running program. */
const fileHashes = new Map<string, string>();
function fileHash(file: string): string | undefined {
  let known = fileHashes.get(file);
  if (known === undefined) {
    if (!fs.existsSync(file)) return undefined;
    known = sha256(fs.readFileSync(file));
    fileHashes.set(file, known);
  }
  return known;
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** Groups the handler's SDK specifiers by the module each resolves to from `workingDir`. */
function modulesOf(imports: SdkImport[], workingDir: string): BundledModule[] {
  const modules = new Map<string, BundledModule>();
  for (const imported of imports) {
    const paths = [workingDir];
    const file = require.resolve(imported.specifier, { paths });
    let main: string | undefined;
    try {
      main = require.resolve(imported.packageName, { paths });
    } catch {
      main = undefined;
    }
    // The package's main entry is bundled from its ES module build (mainFields below); any other
    // file as the handler names it.
    const source = file === main ? imported.packageName : imported.specifier;
    const known = modules.get(source);
    const use = { imported, file, packageDir: packageFolder(file, imported.packageName) };
    if (!known) {
      modules.set(source, { source, names: imported.names, uses: [use] });
      continue;
    }
    known.uses.push(use);
    known.names =
      known.names && imported.names
        ? [...new Set([...known.names, ...imported.names])].sort()
        : undefined;
  }
  return [...modules.values()];
}

/** The bundle's entry: module `i` exported as `m<i>`, an object of the names it keeps. */
function entrySource(modules: BundledModule[]): string {
  return modules
    .map(({ source, names }, i) => {
      if (!names) return `import * as m${i} from ${JSON.stringify(source)};\nexport { m${i} };\n`;
      const local = names.map((name, j) => `${name} as m${i}_${j}`).join(", ");
      const fields = names.map((name, j) => `${name}: m${i}_${j}`).join(", ");
      return `import { ${local} } from ${JSON.stringify(source)};\nexport const m${i} = { ${fields} };\n`;
    })
    .join("");
}

/** The installed package of each file with code in the bundle, and its version. */
function packagesOf(metafile: Metafile, workingDir: string): Record<string, string> {
  const packages: Record<string, string> = {};
  const inputs = Object.values(metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  for (const [input, { bytesInOutput }] of inputs) {
    if (bytesInOutput === 0) continue;
    const match = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(input);
    if (!match) continue;
    const manifest = path.join(workingDir, match[1], "package.json");
    packages[match[2]] = String(readJson(manifest).version);
  }
  return Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)));
}

interface CacheRecord {
  /** Every file esbuild read, relative to the working directory, with its sha256. */
  inputs: Record<string, string>;
  /** The bundle's files, in the folder named by the key. */
  files: string[];
  packages: Record<string, string>;
}

const building = new Map<string, Promise<Bundle>>();

/**
 * The bundle for `entry`, from `cacheDir` when one was built from the same entry, options and
 * esbuild version and every file it read is unchanged.
 */
function bundleFor(
  entry: string,
  workingDir: string,
  cacheDir: string,
  nodeMajor: number,
): Promise<Bundle> {
  const esbuildVersion = String(readJson(require.resolve("esbuild/package.json")).version);
  const options = buildOptions(entry, workingDir, nodeMajor);
  const key = sha256(
    JSON.stringify({
      esbuildVersion,
      options: { ...options, absWorkingDir: undefined },
      // The plugin and the conversion by what they do, not only by name.
      rewrite: String(literalKeys),
      build: buildSteps(),
      entry,
    }),
  ).slice(0, 16);
  let pending = building.get(`${workingDir}:${key}`);
  if (!pending) {
    pending = cachedOrBuilt(key, options, workingDir, cacheDir, nodeMajor);
    building.set(`${workingDir}:${key}`, pending);
  }
  return pending;
}

async function cachedOrBuilt(
  key: string,
  options: BuildOptions,
  workingDir: string,
  cacheDir: string,
  nodeMajor: number,
): Promise<Bundle> {
  const dir = path.join(cacheDir, key);
  const recordFile = path.join(cacheDir, `${key}.json`);
  // The record is written last: where it is, every file it lists is whole.
  if (fs.existsSync(recordFile)) {
    const record = readJson(recordFile) as unknown as CacheRecord;
    const unchanged =
      record.files?.every((file) => fs.existsSync(path.join(dir, file))) &&
      Object.entries(record.inputs).every(
        ([input, hash]) => fileHash(path.join(workingDir, input)) === hash,
      );
    if (unchanged) return { dir, files: record.files, packages: record.packages };
  }
  const { files, metafile } = await buildBundle(options, nodeMajor);
  const inputs = Object.fromEntries(
    Object.keys(metafile.inputs)
      .filter((input) => !isEntryInput(input))
      .map((input) => [input, fileHash(path.join(workingDir, input)) as string]),
  );
  const record: CacheRecord = {
    inputs,
    files: Object.keys(files).sort(),
    packages: packagesOf(metafile, workingDir),
  };
  fs.mkdirSync(dir, { recursive: true });
  // Written whole then renamed, so a concurrent run never reads half a file.
  const written = [
    ...Object.entries(files).map(([file, text]) => [path.join(dir, file), text]),
    [recordFile, JSON.stringify(record, null, 2)],
  ];
  for (const [target, content] of written) {
    fs.writeFileSync(`${target}.${process.pid}`, content);
    fs.renameSync(`${target}.${process.pid}`, target);
  }
  return { dir, files: record.files, packages: record.packages };
}

const posix = (p: string) => p.split(path.sep).join("/");

/**
 * Each used package's package.json: its name and version, `main` where the handler requires the
 * package by name, and an `exports` map only where a specifier names no file (an export subpath):
 * a file path resolves without one, and without the ES module resolver Node loads for it.
 */
function packageManifests(modules: BundledModule[]): Record<string, string> {
  const byPackage = new Map<string, { dir: string; files: Record<string, string> }>();
  for (const { uses } of modules) {
    for (const { imported, file, packageDir } of uses) {
      const entry = byPackage.get(imported.packageName) ?? { dir: packageDir, files: {} };
      const subpath = `.${imported.specifier.slice(imported.packageName.length)}`;
      entry.files[subpath] = `./${posix(path.relative(packageDir, file))}`;
      byPackage.set(imported.packageName, entry);
    }
  }
  const manifests: Record<string, string> = {};
  for (const [name, { dir, files }] of byPackage) {
    const installed = readJson(path.join(dir, "package.json"));
    const named = Object.entries(files).some(([sub, at]) => sub !== "." && sub !== at);
    const manifest = {
      name,
      version: installed.version,
      license: installed.license,
      ...(files["."] ? { main: files["."] } : {}),
      ...(named ? { exports: files } : {}),
    };
    manifests[`node_modules/${name}/package.json`] = JSON.stringify(manifest, null, 2);
  }
  return manifests;
}

/**
 * The archive entries that ship the SDK `handlerText` requires (none when it requires none).
 * The bundle is a file in the cache beside the installed SDK (its path relative to the working
 * directory, as Pulumi reads asset paths), the small files text.
 */
export async function sdkEntries(
  handlerText: string,
  nodeMajor: number,
  workingDir: string = process.cwd(),
): Promise<Record<string, pulumi.asset.Asset>> {
  const imports = sdkImports(handlerText);
  if (imports.length === 0) return {};
  const modules = modulesOf(imports, workingDir);
  // Beside the installed SDK, whichever folder the program runs in.
  const installedIn = modules[0].uses[0].packageDir;
  const project = installedIn.slice(0, installedIn.lastIndexOf(`${path.sep}node_modules`));
  const cacheDir = path.join(project, "node_modules", ".cache", "serverless-notes", "sdk");
  const bundle = await bundleFor(entrySource(modules), workingDir, cacheDir, nodeMajor);
  const entries: Record<string, pulumi.asset.Asset> = {
    ...Object.fromEntries(
      bundle.files.map((file) => [
        `${BUNDLE_DIR}/${file}`,
        new pulumi.asset.FileAsset(posix(path.relative(workingDir, path.join(bundle.dir, file)))),
      ]),
    ),
    // What the bundle holds, version by version; `commonjs` so Node looks no further up.
    [`${BUNDLE_DIR}/package.json`]: new pulumi.asset.StringAsset(
      JSON.stringify({ private: true, type: "commonjs", bundled: bundle.packages }, null, 2),
    ),
  };
  modules.forEach(({ uses }, i) => {
    for (const { imported, file, packageDir } of uses) {
      const at = `node_modules/${imported.packageName}/${posix(path.relative(packageDir, file))}`;
      const bundlePath = path.posix.relative(path.posix.dirname(at), `${BUNDLE_DIR}/${ENTRY_FILE}`);
      entries[at] = new pulumi.asset.StringAsset(
        `"use strict";\nmodule.exports = require(${JSON.stringify(bundlePath)}).m${i};\n`,
      );
    }
  });
  for (const [at, manifest] of Object.entries(packageManifests(modules))) {
    entries[at] = new pulumi.asset.StringAsset(manifest);
  }
  return entries;
}

/** `nodejs24.x` → 24. */
function nodeMajorOf(runtime: unknown): number {
  const major = /^nodejs(\d+)\.x$/.exec(String(runtime))?.[1];
  if (major === undefined) throw new Error(`${String(runtime)} is not a Node.js Lambda runtime`);
  return Number(major);
}

/**
 * A resource transformation for a `CallbackFunction`: its archive (the serialised handler and
 * the files of its code paths) plus the SDK the handler requires. CallbackFunction builds the
 * archive itself, so this is where an entry can be added before the function is registered.
 */
export const shipSdk: pulumi.ResourceTransformation = ({ type, props, opts }) => {
  if (type !== "aws:lambda/function:Function") return undefined;
  const nodeMajor = nodeMajorOf(props.runtime);
  const code = pulumi
    .output(props.code as pulumi.Input<pulumi.asset.AssetArchive>)
    .apply(async (archive) => {
      const assets = await archive.assets;
      // CallbackFunction writes the serialised handler as a StringAsset.
      const text = await (assets["__index.js"] as pulumi.asset.StringAsset | undefined)?.text;
      if (typeof text !== "string") throw new Error("the archive has no serialised __index.js");
      const sdk = await sdkEntries(text, nodeMajor);
      return new pulumi.asset.AssetArchive({ ...assets, ...sdk });
    });
  return { props: { ...props, code }, opts };
};
