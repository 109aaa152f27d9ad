// `npm run invoke -- <function> [--event file.json | - | sample:<name>] [--stack dev]`: one
// declared function run in the local Lambda runtime with its role's IAM checks (its result on
// stdout, its log on stderr), or one execution of a declared state machine, run to its end.
// Usage: npm run invoke -- --help
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { ControlRefusal } from "./control";
import { BadInput, EXIT, readAll, withStack } from "./localCommand";
import type { CommandIo } from "./localCommand";
import { PLACEHOLDERS, describeSample, fillSample, sampleNames, sampleText } from "./samples";
import { stackConfigPath } from "./stackConfig";

export function invokeUsage(): string {
  const samples = sampleNames()
    .map((name) => `  ${name.padEnd(20)} ${describeSample(sampleText(name))}`)
    .join("\n");
  const placeholders = Object.keys(PLACEHOLDERS)
    .map((p) => `{{${p}}}`)
    .join(", ");
  return `Usage: npm run invoke -- <function> [--event <file.json> | - | sample:<name>] [--stack dev]

Runs one declared function in the local Lambda runtime, under its role's IAM checks, and prints
its result (stdout) and its log (stderr); or, named instead, runs one execution of a declared
state machine to its end and prints its output (the states' lines go to npm start's log). It
uses the running npm start of the stack; when none is running, it stands the stack up for this
one call, on the stack's kept data (.local/<stack>/).

  <function>             the function's name (serverless-notes-dev-createNote), or its name in
                         the program (createNote), or a state machine's (importNotes); npm start
                         lists them
  --event <file.json>    the event, read from a file (default: {})
  --event -              the event, read from stdin
  --event sample:<name>  a ready-made event from samples/events/ (below)
  --stack <dev|prod>     the stack (default dev)
  -h, --help             print this and exit

Exit code: 0 the function returned (the execution succeeded), 1 it failed or timed out, 2 bad
input (an unknown function or sample, an unreadable file, JSON that does not parse).

Sample events (samples/events/<name>.json). Their placeholders are filled in from the stack:
  ${placeholders};
the notes routes' events carry the dev demo user's claims.
${samples}`;
}

interface InvokeArgs {
  stack: string;
  functionName: string;
  /** The event, or a sample to fill in once the stack is known. */
  event: { value: unknown } | { sample: string; text: string };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new BadInput(`the event in ${where} is not JSON: ${(error as Error).message}`);
  }
}

async function readArgs(argv: string[], io: CommandIo): Promise<InvokeArgs | "help"> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        event: { type: "string" },
        stack: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new BadInput((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return "help";
  if (positionals.length !== 1) {
    throw new BadInput(
      positionals.length === 0
        ? "name the function to invoke"
        : `one function at a time, not ${positionals.join(" ")}`,
    );
  }
  const stack = values.stack ?? "dev";
  if (!fs.existsSync(stackConfigPath(stack))) {
    throw new BadInput(`no stack ${stack}: there is no Pulumi.${stack}.yaml`);
  }
  const source = values.event;
  let event: InvokeArgs["event"];
  if (source === undefined) event = { value: {} };
  else if (source === "-") event = { value: parseJson(await readAll(io.stdin), "stdin") };
  else if (source.startsWith("sample:")) {
    const sample = source.slice("sample:".length);
    event = { sample, text: sampleText(sample) };
  } else {
    let text: string;
    try {
      text = fs.readFileSync(source, "utf8");
    } catch (error) {
      throw new BadInput(`cannot read the event file ${source}: ${(error as Error).message}`);
    }
    event = { value: parseJson(text, source) };
  }
  return { stack, functionName: positionals[0], event };
}

export async function invokeCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    const args = await readArgs(argv, io);
    if (args === "help") {
      io.stdout.write(`${invokeUsage()}\n`);
      return EXIT.done;
    }
    return await withStack(args.stack, io, async (control) => {
      const event =
        "value" in args.event
          ? args.event.value
          : fillSample(args.event.sample, args.event.text, await control.context());
      let invocation;
      try {
        invocation = await control.invoke(args.functionName, event);
      } catch (error) {
        if (error instanceof ControlRefusal && error.status < 500)
          throw new BadInput(error.message);
        throw error;
      }
      if (invocation.kind === "execution") {
        const { result, executionArn } = invocation;
        io.stderr.write(`${executionArn}: ${result.status}\n`);
        const shown =
          result.status === "SUCCEEDED"
            ? result.output
            : { error: result.error, cause: result.cause };
        io.stdout.write(`${JSON.stringify(shown ?? null, null, 2)}\n`);
        return result.status === "SUCCEEDED" ? EXIT.done : EXIT.failed;
      }
      const { outcome, functionName } = invocation;
      for (const line of outcome.logs) io.stderr.write(`[${functionName}] ${line}\n`);
      if ("result" in outcome) {
        io.stdout.write(`${JSON.stringify(outcome.result, null, 2)}\n`);
        return EXIT.done;
      }
      const failure =
        "error" in outcome
          ? `${outcome.error.errorType}: ${outcome.error.errorMessage}`
          : "the function timed out";
      io.stderr.write(`${functionName} failed: ${failure}\n`);
      return EXIT.failed;
    });
  } catch (error) {
    if (error instanceof BadInput) {
      io.stderr.write(
        `${error.message}\n\nnpm run invoke -- --help lists the options and samples\n`,
      );
      return EXIT.badInput;
    }
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  invokeCommand(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
  }).then((code) => process.exit(code));
}
