// `npm run schedule -- [rule] [--stack dev]`: a scheduled EventBridge rule fired now, its
// targets (a function or a state machine) run as the schedule would run them, and what they
// ended with printed. Usage: npm run schedule -- --help
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { ControlRefusal } from "./control";
import type { FiredTarget } from "./control";
import { BadInput, EXIT, withStack } from "./localCommand";
import type { CommandIo } from "./localCommand";
import { stackConfigPath } from "./stackConfig";

export const SCHEDULE_USAGE = `Usage: npm run schedule -- [rule] [--stack dev]

Fires a scheduled EventBridge rule of the stack now: each of its targets gets the "Scheduled
Event" it would get on schedule (a function is invoked, a state machine's execution started),
and what each ended with is printed. It uses the running npm start of the stack; when none is
running, it stands the stack up for this one firing, on the stack's kept data.

  [rule]              the rule's name, or its name without the stack's prefix
                      (scheduledExport); may be left out when the stack has one scheduled rule
  --stack <dev|prod>  the stack (default dev)
  -h, --help          print this and exit

Exit code: 0 every target succeeded, 1 one failed or was refused, 2 bad input (no such rule).`;

/** One line per target and what it ended with; whether all succeeded. */
function report(fired: FiredTarget[], io: CommandIo): boolean {
  let succeeded = true;
  for (const target of fired) {
    if (target.kind === "execution") {
      const { status, output, error, cause } = target.result;
      io.stdout.write(`${target.rule} → ${target.executionArn}: ${status}\n`);
      io.stdout.write(
        `${JSON.stringify(status === "SUCCEEDED" ? output : { error, cause }, null, 2)}\n`,
      );
      succeeded &&= status === "SUCCEEDED";
    } else if (target.kind === "invocation") {
      const { outcome } = target;
      for (const line of outcome.logs) io.stderr.write(`[${target.functionName}] ${line}\n`);
      const ok = "result" in outcome;
      io.stdout.write(`${target.rule} → ${target.functionName}: ${ok ? "succeeded" : "failed"}\n`);
      io.stdout.write(
        `${JSON.stringify(ok ? outcome.result : "error" in outcome ? outcome.error : "timed out", null, 2)}\n`,
      );
      succeeded &&= ok;
    } else {
      io.stdout.write(`${target.rule} → ${target.target}: refused: ${target.reason}\n`);
      succeeded = false;
    }
  }
  return succeeded;
}

export async function scheduleCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: { stack: { type: "string" }, help: { type: "boolean", short: "h" } },
      });
    } catch (error) {
      throw new BadInput((error as Error).message);
    }
    if (parsed.values.help) {
      io.stdout.write(`${SCHEDULE_USAGE}\n`);
      return EXIT.done;
    }
    if (parsed.positionals.length > 1) throw new BadInput("one rule at a time");
    const stack = parsed.values.stack ?? "dev";
    if (!fs.existsSync(stackConfigPath(stack))) {
      throw new BadInput(`no stack ${stack}: there is no Pulumi.${stack}.yaml`);
    }
    return await withStack(stack, io, async (control) => {
      let rule = parsed.positionals[0];
      if (rule === undefined) {
        const { scheduledRules } = await control.context();
        if (scheduledRules.length !== 1) {
          throw new BadInput(
            scheduledRules.length === 0
              ? `the ${stack} stack declares no scheduled rule`
              : `name the rule: the ${stack} stack's scheduled rules are ${scheduledRules.join(", ")}`,
          );
        }
        rule = scheduledRules[0];
      }
      let fired: FiredTarget[];
      try {
        fired = await control.fire(rule);
      } catch (error) {
        if (error instanceof ControlRefusal && error.status < 500)
          throw new BadInput(error.message);
        throw error;
      }
      if (fired.length === 0) io.stdout.write(`${rule} has no targets\n`);
      return report(fired, io) ? EXIT.done : EXIT.failed;
    });
  } catch (error) {
    if (error instanceof BadInput) {
      io.stderr.write(`${error.message}\n\nnpm run schedule -- --help lists the options\n`);
      return EXIT.badInput;
    }
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  scheduleCommand(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
  }).then((code) => process.exit(code));
}
