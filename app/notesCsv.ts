// Reading a notes CSV (`UserId,NoteId,Note`): records parsed by csv-parse (quoted fields with
// commas, quotes and line breaks, a UTF-8 BOM, CRLF or LF), each checked by the API's own rules.
// Good rows become notes; each bad row is reported with the line its record starts on.
import { parse } from "csv-parse/sync";
import { derivedNoteId, isValidId, isValidNoteId } from "./ids";
import { MAX_NOTE_CHARS, noteLength } from "./notes";

export const CSV_HEADER = ["UserId", "NoteId", "Note"] as const;

/**
 * Each record ends at CRLF, LF or CR, whichever comes: left to itself csv-parse takes the first
 * line end it meets for the whole file, and an LF file with one CRLF row would store "x\r".
 */
export const RECORD_DELIMITERS = ["\r\n", "\n", "\r"];

/** A row as it is loaded, and as the CSV's JSON conversion lists it. */
export interface CsvNote {
  UserId: string;
  NoteId: string;
  Note: string;
}

/** A row (or the whole file) that was not loaded, and why. */
export interface RejectedRow {
  /** The physical line (1-based) where the record starts. */
  line: number;
  code: string;
  message: string;
}

export interface NotesCsv {
  notes: CsvNote[];
  rejected: RejectedRow[];
}

const LF = 0x0a;
const CR = 0x0d;

/** Physical lines, counted up to byte offsets in increasing order: CRLF, LF or CR end a line. */
function lineCounter(bytes: Buffer) {
  let offset = 0;
  let line = 1;
  return {
    /** The line of the first byte at or after `from` that is not a line break. */
    startingAt(from: number): number {
      let start = from;
      while (start < bytes.length && (bytes[start] === LF || bytes[start] === CR)) start++;
      for (; offset < start; offset++) {
        if (bytes[offset] === LF || (bytes[offset] === CR && bytes[offset + 1] !== LF)) line++;
      }
      return line;
    },
  };
}

function rejected(line: number, code: string, message: string): RejectedRow {
  return { line, code, message };
}

/** What is wrong with one record, or undefined when it can be loaded. */
function problemWith(fields: string[], line: number): RejectedRow | undefined {
  if (fields.length !== CSV_HEADER.length) {
    return rejected(
      line,
      "WrongFieldCount",
      `expected ${CSV_HEADER.length} fields (${CSV_HEADER.join(",")}), found ${fields.length}`,
    );
  }
  const [userId, noteId, note] = fields;
  if (userId === "") return rejected(line, "MissingUserId", "UserId is empty");
  if (!isValidId(userId)) {
    return rejected(line, "InvalidUserId", 'UserId must be 1 to 64 letters, digits, "_" or "-"');
  }
  if (noteId !== "" && !isValidId(noteId)) {
    return rejected(line, "InvalidNoteId", 'NoteId must be 1 to 64 letters, digits, "_" or "-"');
  }
  if (noteId !== "" && !isValidNoteId(noteId)) {
    return rejected(
      line,
      "ReservedNoteId",
      `NoteId "${noteId}" is reserved: the API uses it for the export route`,
    );
  }
  if (note.trim() === "") return rejected(line, "MissingNote", "Note is empty");
  if (noteLength(note) > MAX_NOTE_CHARS) {
    return rejected(line, "NoteTooLong", `a note must be at most ${MAX_NOTE_CHARS} characters`);
  }
  return undefined;
}

/**
 * The notes of a CSV file and the rows that cannot be loaded. A row without a NoteId gets one
 * derived from `source` (the object's key), its line and its content. A file that is not CSV, or
 * lacks the header, loads nothing: it is reported as one rejected "row".
 */
export function readNotesCsv(bytes: Buffer, source: string): NotesCsv {
  const records: { fields: string[]; end: number }[] = [];
  const lines = lineCounter(bytes);
  try {
    parse(bytes, {
      bom: true,
      record_delimiter: RECORD_DELIMITERS,
      skip_empty_lines: true,
      relax_column_count: true,
      relax_quotes: true,
      // Collected as they come, so a parse error still knows where the last good record ended.
      on_record: (fields: string[], context: { bytes: number }) => {
        records.push({ fields, end: context.bytes });
        return null;
      },
    });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== "string" || !code.startsWith("CSV_")) throw error;
    const line = lines.startingAt(records.at(-1)?.end ?? 0);
    return {
      notes: [],
      rejected: [rejected(line, "MalformedCsv", `not valid CSV (${code}): nothing was imported`)],
    };
  }

  const [header, ...rows] = records;
  if (JSON.stringify(header?.fields) !== JSON.stringify(CSV_HEADER)) {
    const expected = CSV_HEADER.join(",");
    const problem = header ? `the first line is not the header ${expected}` : "the file is empty";
    return {
      notes: [],
      rejected: [
        rejected(lines.startingAt(0), "InvalidHeader", `${problem}: nothing was imported`),
      ],
    };
  }

  const notes: CsvNote[] = [];
  const rejectedRows: RejectedRow[] = [];
  const checker = rowChecker(source);
  let previousEnd = header.end;
  for (const { fields, end } of rows) {
    const line = lines.startingAt(previousEnd);
    previousEnd = end;
    const checked = checker.check(fields, line);
    if ("rejected" in checked) rejectedRows.push(checked.rejected);
    else notes.push(checked.note);
  }
  return { notes, rejected: rejectedRows };
}

/**
 * The row rules, record by record (a closure, not a class: Pulumi's serialiser drops class field
 * initialisers): a good row becomes a note (with a NoteId derived from
 * `source`, its line and its content when it has none); a bad one, or a second row for the same
 * note, is rejected with its line and a code.
 */
export function rowChecker(source: string) {
  const lineOfKey = new Map<string, number>();
  return {
    check(fields: string[], line: number): { note: CsvNote } | { rejected: RejectedRow } {
      const problem = problemWith(fields, line);
      if (problem) return { rejected: problem };
      const [userId, givenNoteId, note] = fields;
      const noteId = givenNoteId || derivedNoteId(source, line, [userId, note]);
      // One batch may not write a key twice, and a file should not say two things about one note.
      const key = `${userId}\u0000${noteId}`;
      const first = lineOfKey.get(key);
      if (first !== undefined) {
        return {
          rejected: rejected(
            line,
            "DuplicateNote",
            `UserId ${userId}, NoteId ${noteId} is already on line ${first}`,
          ),
        };
      }
      lineOfKey.set(key, line);
      return { note: { UserId: userId, NoteId: noteId, Note: note } };
    },
  };
}
