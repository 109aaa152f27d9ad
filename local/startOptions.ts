// `npm start`'s command line, read with Node's own `util.parseArgs` (strict: an unknown option,
// a missing value or a stray argument is an error, never ignored; `--stack=prod` is the same
// as `--stack prod`).
import { parseArgs } from "node:util";

export const USAGE = `Usage: npm start -- [options]

Runs a stack's whole application on this machine: site, API, functions, tables, user pool,
buckets, EventBridge rules and state machines.

Options:
  --stack <dev|prod>        the stack whose Pulumi.<stack>.yaml is used (default dev)
  --fresh                   delete the kept data (.local/<stack>/: tables and buckets) and
                            start empty
  --port <n>                the website's port (default 3000; 0 picks a free one)
  --api-port <n>            the API's port (default 3001; 0 picks a free one)
  --dynamodb-port <n>       DynamoDB's port (default 8000; 0 picks a free one)
  --s3-port <n>             S3's port (default 4568; 0 picks a free one)
  --no-watch                do not reload when app/, site/, infra/, stacks/ or a Pulumi.*.yaml
                            changes (by default the program is recorded again and what
                            changed is replaced, data kept)
  --inspect                 open the Node inspector in each function's environment (the
                            "Debugger listening on ws://…" line names its port)
  -h, --help                print this and exit`;

export interface StartOptions {
  help: boolean;
  stack: string;
  fresh: boolean;
  inspect: boolean;
  /** Reload on a change of the program's sources (off with --no-watch). */
  watch: boolean;
  ports: { site: number; api: number; dynamodb: number; s3: number };
}

/** Which option chose each port, so a busy port names the option that moves it. */
export const PORT_OPTIONS = {
  site: "--port",
  api: "--api-port",
  dynamodb: "--dynamodb-port",
  s3: "--s3-port",
};

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) {
    throw new Error(`--${name} takes a port number from 0 to 65535, not "${value}"`);
  }
  return n;
}

/** The options, or an Error whose message says what is wrong (and the usage says the rest). */
export function parseStartOptions(args: string[]): StartOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      stack: { type: "string" },
      fresh: { type: "boolean" },
      inspect: { type: "boolean" },
      "no-watch": { type: "boolean" },
      port: { type: "string" },
      "api-port": { type: "string" },
      "dynamodb-port": { type: "string" },
      "s3-port": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  return {
    help: values.help ?? false,
    stack: values.stack ?? "dev",
    fresh: values.fresh ?? false,
    inspect: values.inspect ?? false,
    watch: !(values["no-watch"] ?? false),
    ports: {
      site: port("port", values.port, 3000),
      api: port("api-port", values["api-port"], 3001),
      dynamodb: port("dynamodb-port", values["dynamodb-port"], 8000),
      s3: port("s3-port", values["s3-port"], 4568),
    },
  };
}
