// Values as the Pulumi SDK sends them over gRPC (a protobuf Struct holding "special" objects
// marked by signature keys) and as the engine reads them. Source: @pulumi/pulumi runtime/rpc.js
// (the signatures) and pulumi/pulumi pkg/resource/deploy/source_eval.go RegisterResource, which
// unmarshals with ComputeAssetHashes and the program's WorkingDirectory: a relative asset path is
// the program's working directory's, and a missing file fails the registration.
import * as fs from "node:fs";
import * as path from "node:path";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const SIG = "4dabf18193072939515e22adb298388d";
const ASSET = "c44067f5952c0a294b673a41bacd8c17";
const ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e";
const OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

type Json = Record<string, unknown>;

export class WireError extends Error {}

/** A path the engine would hash: relative ones are the program's working directory's. */
function existingPath(p: string, pwd: string, what: string): string {
  const absolute = path.resolve(pwd, p);
  if (!fs.existsSync(absolute)) {
    throw new WireError(`failed to compute ${what} hash: open ${p}: no such file or directory`);
  }
  return absolute;
}

/**
 * A value from the SDK as the recording keeps it: assets and archives as `{ $asset }` and
 * `{ $archive }` (paths absolute), secrets and output values unwrapped (an unknown output value
 * becomes UNKNOWN), and a resource reference as the provider sees it: its id, or its URN for a
 * component.
 */
export function fromWire(value: unknown, pwd: string): unknown {
  if (Array.isArray(value)) return value.map((v) => fromWire(v, pwd));
  if (!value || typeof value !== "object") return value;
  const object = value as Json;
  switch (object[SIG]) {
    case ASSET:
      if (typeof object.path === "string") {
        return { $asset: { path: existingPath(object.path, pwd, "asset") } };
      }
      return { $asset: { text: object.text } };
    case ARCHIVE:
      if (typeof object.path === "string") {
        return { $archive: { path: existingPath(object.path, pwd, "archive") } };
      }
      return { $archive: { assets: fromWire(object.assets ?? {}, pwd) } };
    case SECRET:
      return fromWire(object.value, pwd);
    case OUTPUT:
      return "value" in object ? fromWire(object.value, pwd) : UNKNOWN;
    case RESOURCE:
      return typeof object.id === "string" && object.id !== "" ? object.id : object.urn;
    case undefined:
      return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, fromWire(v, pwd)]));
    default:
      throw new WireError(`unknown signature ${String(object[SIG])}`);
  }
}

/** A recorded value back in the SDK's form, for the state a registration answers with. */
export function toWire(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toWire);
  if (!value || typeof value !== "object") return value;
  const object = value as Json;
  const asset = object.$asset as Json | undefined;
  if (asset) return { [SIG]: ASSET, ...asset };
  const archive = object.$archive as Json | undefined;
  if (archive) {
    return archive.assets
      ? { [SIG]: ARCHIVE, assets: toWire(archive.assets) }
      : { [SIG]: ARCHIVE, ...archive };
  }
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, toWire(v)]));
}
