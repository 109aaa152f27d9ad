// Cutting a CSV into record-aligned parts while it streams past: a part ends only where a record
// does, never inside a quoted field (which may hold commas, doubled quotes and line breaks), and
// each part knows the physical line it starts on, so refused rows keep the file's line numbers.
// The scanner follows csv-parse's reading (`relax_quotes`): a quote opens a quoted field only
// at the start of a field, `""` inside one is a quote, and CRLF, LF or CR ends a record.

/** A byte range of the file, `start` included and `end` excluded, holding whole records. */
export interface Part {
  index: number;
  start: number;
  end: number;
  /** The physical line (1-based) of the part's first byte. */
  firstLine: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Cuts the bytes pushed into it into parts. A closure, not a class: Pulumi's serialiser of a
 * handler's code drops class field initialisers (tests/bundle/importWorkflow.test.ts).
 */
export interface PartScanner {
  push(chunk: Uint8Array): void;
  /** The header's end and the parts after it; none when the file has nothing after a header. */
  finish(): { headerEnd: number | undefined; parts: Part[] };
}

/** `partBytes`: a part closes at the first record end at least this far from its start. */
export function partScanner(partBytes: number): PartScanner {
  if (!Number.isInteger(partBytes) || partBytes < 1) {
    throw new Error(`partBytes ${partBytes} is not a whole number from 1`);
  }
  let offset = 0;
  let line = 1;
  let inQuotes = false;
  let quotePending = false;
  let fieldStart = true;
  let lineCrPending = false;
  let recordCrPending = false;
  let bomSeen = 0;
  let headerEnd: { offset: number; line: number } | undefined;
  let partStart = { offset: 0, line: 1 };
  const parts: Part[] = [];

  const close = (end: number) => {
    parts.push({
      index: parts.length + 1,
      start: partStart.offset,
      end,
      firstLine: partStart.line,
    });
  };

  /** A record ended just before `at`, whose byte is on `line`. */
  const recordEnd = (at: number) => {
    if (!headerEnd) {
      headerEnd = { offset: at, line };
      partStart = { offset: at, line };
      return;
    }
    if (at - partStart.offset >= partBytes) {
      close(at);
      partStart = { offset: at, line };
    }
  };

  const take = (byte: number) => {
    if (byte === LF) line++;
    if (byte === CR) lineCrPending = true;
    if (quotePending) {
      quotePending = false;
      if (byte === QUOTE) return; // a doubled quote: still inside the field
      inQuotes = false;
      fieldStart = false;
    } else if (inQuotes) {
      if (byte === QUOTE) quotePending = true;
      return;
    }
    if (byte === QUOTE && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else if (byte === COMMA) {
      fieldStart = true;
    } else if (byte === LF) {
      fieldStart = true;
      recordEnd(offset + 1);
    } else if (byte === CR) {
      // CRLF ends at the LF; a CR alone ends where the next byte begins.
      fieldStart = true;
      recordCrPending = true;
    } else {
      fieldStart = false;
    }
  };

  return {
    push(chunk) {
      for (let i = 0; i < chunk.length; i++, offset++) {
        const byte = chunk[i];
        // The first bytes are a UTF-8 BOM so far: they belong to no field.
        if (offset < BOM.length && bomSeen === offset && byte === BOM[offset]) {
          bomSeen++;
          continue;
        }
        if (lineCrPending) {
          lineCrPending = false;
          if (byte !== LF) line++;
        }
        if (recordCrPending) {
          recordCrPending = false;
          if (byte !== LF) recordEnd(offset);
        }
        take(byte);
      }
    },
    finish() {
      if (lineCrPending) line++;
      if (recordCrPending) recordEnd(offset);
      if (headerEnd && offset > partStart.offset) close(offset);
      return { headerEnd: headerEnd?.offset, parts };
    },
  };
}
