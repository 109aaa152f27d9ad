import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { derivedNoteId, isValidId } from "../../app/ids";
import { readNotesCsv } from "../../app/notesCsv";
import type { NotesCsv } from "../../app/notesCsv";

const SOURCE = "imports/notes.csv";
const read = (text: string): NotesCsv => readNotesCsv(Buffer.from(text, "utf8"), SOURCE);
const codes = (csv: NotesCsv) => csv.rejected.map(({ line, code }) => ({ line, code }));

describe("notes CSV", () => {
  it("reads quoted commas, doubled quotes and line breaks inside quotes, after a BOM, with CRLF", () => {
    const csv = read(
      '\ufeffUserId,NoteId,Note\r\nada,n1,"milk, eggs"\r\nada,n2,"say ""hi"""\r\nbob,n3,"one\r\ntwo"\r\n',
    );
    assert.deepEqual(csv, {
      notes: [
        { UserId: "ada", NoteId: "n1", Note: "milk, eggs" },
        { UserId: "ada", NoteId: "n2", Note: 'say "hi"' },
        { UserId: "bob", NoteId: "n3", Note: "one\r\ntwo" },
      ],
      rejected: [],
    });
  });

  it('refuses the NoteId "export", the export route\'s path, with a row error of its own', () => {
    const csv = read("UserId,NoteId,Note\nada,export,shadowed\nada,Export,fine\n");
    assert.deepEqual(
      csv.notes.map((n) => n.NoteId),
      ["Export"],
    );
    assert.deepEqual(codes(csv), [{ line: 2, code: "ReservedNoteId" }]);
    assert.match(csv.rejected[0].message, /"export" is reserved/);
  });

  it("reads LF files and a last line without a line break alike", () => {
    const csv = read("UserId,NoteId,Note\nada,n1,plain\nada,n2,last");
    assert.deepEqual(
      csv.notes.map((n) => n.Note),
      ["plain", "last"],
    );
  });

  it("reports each bad row by the physical line its record starts on; good rows still load", () => {
    for (const eol of ["\r\n", "\n"]) {
      const text = [
        "UserId,NoteId,Note", // 1
        'ada,n1,"spans', // 2
        "three", // 3
        'lines"', // 4
        "bad user,n2,x", // 5
        "", // 6 (blank, skipped)
        ",n3,no user", // 7
        'ada,n4,"  "', // 8
        `ada,n5,${"a".repeat(10_001)}`, // 9
        "ada,n.6,bad note id", // 10
        "ada,n7", // 11
        "ada,n8,ok,extra", // 12
        'ada,n1,"again', // 13
        'with a break"', // 14
        "ada,n9,ok", // 15
      ].join(eol);
      const csv = read(text);
      assert.deepEqual(
        csv.notes.map((n) => n.NoteId),
        ["n1", "n9"],
        JSON.stringify(eol),
      );
      assert.deepEqual(codes(csv), [
        { line: 5, code: "InvalidUserId" },
        { line: 7, code: "MissingUserId" },
        { line: 8, code: "MissingNote" },
        { line: 9, code: "NoteTooLong" },
        { line: 10, code: "InvalidNoteId" },
        { line: 11, code: "WrongFieldCount" },
        { line: 12, code: "WrongFieldCount" },
        { line: 13, code: "DuplicateNote" },
      ]);
      assert.match(csv.rejected[7].message, /already on line 2/);
    }
  });

  it("counts a note's length in characters: 10,000 emoji load, 10,001 do not", () => {
    const csv = read(
      `UserId,NoteId,Note\nada,a,${"😀".repeat(10_000)}\nada,b,${"😀".repeat(10_001)}\n`,
    );
    assert.deepEqual(
      csv.notes.map((n) => n.NoteId),
      ["a"],
    );
    assert.deepEqual(codes(csv), [{ line: 3, code: "NoteTooLong" }]);
  });

  it("gives a row without a NoteId one derived from the file, the line and the row", () => {
    const text = "UserId,NoteId,Note\nada,,first\nada,,second\nada,,first\n";
    const { notes } = read(text);
    assert.deepEqual(
      notes.map((n) => n.NoteId),
      [
        derivedNoteId(SOURCE, 2, ["ada", "first"]),
        derivedNoteId(SOURCE, 3, ["ada", "second"]),
        derivedNoteId(SOURCE, 4, ["ada", "first"]),
      ],
    );
    assert.equal(new Set(notes.map((n) => n.NoteId)).size, 3);
    for (const { NoteId } of notes) assert.ok(isValidId(NoteId), NoteId);
    assert.deepEqual(read(text), { notes, rejected: [] }, "the same file, the same ids");
    const other = readNotesCsv(Buffer.from(text), "imports/other.csv").notes;
    assert.notEqual(other[0].NoteId, notes[0].NoteId);
  });

  it("keeps stray quotes in a field as they are, as spreadsheets write them", () => {
    assert.deepEqual(
      read('UserId,NoteId,Note\nada,n1,He said "hi"\nada,n2,"ok"x\n').notes.map((n) => n.Note),
      ['He said "hi"', '"ok"x'],
    );
  });

  it("loads nothing from a file without the header, an empty file or malformed CSV", () => {
    assert.deepEqual(codes(read("userid,noteid,note\nada,n1,x\n")), [
      { line: 1, code: "InvalidHeader" },
    ]);
    assert.deepEqual(codes(read("")), [{ line: 1, code: "InvalidHeader" }]);
    assert.deepEqual(
      codes(read('UserId,NoteId,Note\r\nada,n1,"two\r\nlines"\r\nada,n2,"never closed\r\n')),
      [{ line: 4, code: "MalformedCsv" }],
    );
  });

  it("reads the sample notes.csv as the README says: five notes, line 9 reported", () => {
    const sample = readFileSync(path.join(__dirname, "..", "..", "notes.csv"));
    const csv = readNotesCsv(sample, "imports/notes.csv");
    assert.deepEqual(
      csv.notes.map((n) => n.UserId),
      ["ada", "ada", "ada", "grace", "grace"],
    );
    assert.equal(csv.notes[2].Note, "Meeting notes:\n- agree on the schema\n- ship the import");
    assert.deepEqual(codes(csv), [{ line: 9, code: "InvalidUserId" }]);
  });
});
