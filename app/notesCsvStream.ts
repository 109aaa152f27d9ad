// Reading a part of a notes CSV as it streams: csv-parse's streaming parser, the same record
// delimiters and row rules as `readNotesCsv`, and line numbers counted from the part's first
// line, so memory holds a few chunks and one record, never the file.
import { Transform, pipeline } from "node:stream";
import type { Readable } from "node:stream";
import { parse } from "csv-parse";
import type { Options } from "csv-parse";
import { RECORD_DELIMITERS, rowChecker } from "./notesCsv";
import type { CsvNote, RejectedRow } from "./notesCsv";

export type CsvRow = { note: CsvNote } | { rejected: RejectedRow };

/** Records parsed ahead of the consumer before the parser pauses. */
const HIGH_WATER = 100;
const LF = 0x0a;
const CR = 0x0d;

/** Physical lines up to byte offsets in increasing order, over the chunks not yet passed. */
function streamLines(firstLine: number) {
  const chunks: Buffer[] = [];
  let chunksStart = 0;
  let total = 0;
  let offset = 0;
  let line = firstLine;

  const at = (position: number): number | undefined => {
    if (position >= total) return undefined;
    let base = chunksStart;
    for (const chunk of chunks) {
      if (position < base + chunk.length) return chunk[position - base];
      base += chunk.length;
    }
    return undefined;
  };
  const isBreak = (position: number) => at(position) === LF || at(position) === CR;

  return {
    push(chunk: Buffer): void {
      chunks.push(chunk);
      total += chunk.length;
    },
    /** The line of the first byte at or after `from` that is not a line break. */
    startingAt(from: number): number {
      let start = from;
      while (isBreak(start)) start++;
      for (; offset < start; offset++) {
        const byte = at(offset);
        if (byte === LF || (byte === CR && at(offset + 1) !== LF)) line++;
      }
      while (chunks.length && chunksStart + chunks[0].length <= offset) {
        chunksStart += chunks[0].length;
        chunks.shift();
      }
      return line;
    },
  };
}

/**
 * Each record of `input` (whole records, no header) checked by the row rules, in order. Input
 * that is not valid CSV ends the rows with one `MalformedCsv` rejection at the line it broke on.
 */
export async function* readNotesCsvRows(
  input: Readable,
  options: { source: string; firstLine: number },
): AsyncGenerator<CsvRow> {
  const lines = streamLines(options.firstLine);
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      lines.push(chunk);
      done(null, chunk);
    },
  });
  const parsing: Options<{ fields: string[]; end: number }, string[]> = {
    record_delimiter: RECORD_DELIMITERS,
    skip_empty_lines: true,
    relax_column_count: true,
    relax_quotes: true,
    on_record: (fields, context) => ({ fields, end: context.bytes }),
  };
  const parser = parse(parsing as unknown as Options);
  pipeline(input, counted, parser, () => undefined);

  // Records are taken in order as the parser makes them, and an error only after every record
  // before it: an async iterator over the parser would drop those on error. Bounded by pausing.
  const records: { fields: string[]; end: number }[] = [];
  let failure: unknown;
  let ended = false;
  let wake: (() => void) | undefined;
  parser.on("data", (record: { fields: string[]; end: number }) => {
    records.push(record);
    if (records.length >= HIGH_WATER) parser.pause();
    wake?.();
  });
  parser.on("error", (error: unknown) => {
    failure = error;
    ended = true;
    wake?.();
  });
  parser.on("end", () => {
    ended = true;
    wake?.();
  });

  const checker = rowChecker(options.source);
  let previousEnd = 0;
  try {
    for (;;) {
      const record = records.shift();
      if (record) {
        if (records.length < HIGH_WATER / 2) parser.resume();
        const line = lines.startingAt(previousEnd);
        previousEnd = record.end;
        yield checker.check(record.fields, line);
      } else if (ended) {
        break;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    }
  } finally {
    parser.destroy();
  }
  if (failure === undefined) return;
  const code = (failure as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("CSV_")) throw failure;
  yield {
    rejected: {
      line: lines.startingAt(previousEnd),
      code: "MalformedCsv",
      message: `not valid CSV (${code}): the rest of this part was not read`,
    },
  };
}
