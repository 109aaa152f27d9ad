import assert from "node:assert/strict";
import { derivedNoteId, isValidId, isValidNoteId, newNoteId } from "../../app/ids";

const NOTE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe("ids", () => {
  describe("isValidId", () => {
    it("accepts 1 to 64 letters, digits, underscores and hyphens", () => {
      for (const id of ["a", "Z9", "user_1-x", "a".repeat(64), "01ARZ3NDEKTSV4RRFFQ69G5FAV"]) {
        assert.equal(isValidId(id), true, id);
      }
    });

    it("rejects anything else", () => {
      for (const id of ["", "a".repeat(65), "a b", "a/b", "a.b", "é", "a\n", undefined, null, 7]) {
        assert.equal(isValidId(id), false, String(id));
      }
    });
  });

  describe("isValidNoteId", () => {
    it('is isValidId without the export route\'s segment "export"', () => {
      assert.equal(isValidNoteId("export"), false);
      assert.equal(isValidNoteId("a b"), false);
      for (const id of ["Export", "exports", "n1"]) assert.equal(isValidNoteId(id), true, id);
    });
  });

  describe("newNoteId", () => {
    it("is 26 Crockford base-32 characters, a valid id", () => {
      const id = newNoteId();
      assert.match(id, NOTE_ID);
      assert.equal(isValidId(id), true);
    });

    it("starts with the time, so ids from later milliseconds sort later", () => {
      const t = Date.UTC(2026, 0, 1);
      const ids = [t, t + 1, t + 31, t + 32, t + 86_400_000].map((ms) => newNoteId(undefined, ms));
      assert.deepEqual([...ids].sort(), ids);
      assert.equal(newNoteId(undefined, 0).slice(0, 10), "0000000000");
      assert.equal(newNoteId(undefined, 2 ** 48 - 1).slice(0, 10), "7ZZZZZZZZZ");
    });

    it("is random after the time part", () => {
      const ids = new Set(Array.from({ length: 1000 }, () => newNoteId(undefined, 1)));
      assert.equal(ids.size, 1000);
    });

    it("sorts after the previous id within one millisecond and when the clock steps back", () => {
      const t = Date.UTC(2026, 0, 1);
      let previous = newNoteId(undefined, t);
      for (const now of [t, t, t - 5, t]) {
        const next = newNoteId(previous, now);
        assert.match(next, NOTE_ID);
        assert.ok(next > previous, `${next} > ${previous}`);
        assert.equal(next.slice(0, 10), previous.slice(0, 10));
        previous = next;
      }
    });

    it("moves to the next millisecond when the random part would overflow", () => {
      const t = Date.UTC(2026, 0, 1);
      const full = newNoteId(undefined, t).slice(0, 10) + "Z".repeat(16);
      const next = newNoteId(full, t);
      assert.ok(next > full);
      assert.equal(next.slice(0, 10), newNoteId(undefined, t + 1).slice(0, 10));
    });

    it("keeps a thousand ids made in a tight loop in creation order", () => {
      const ids: string[] = [];
      let previous: string | undefined;
      for (let i = 0; i < 1000; i++) ids.push((previous = newNoteId(previous)));
      assert.deepEqual([...ids].sort(), ids);
      assert.equal(new Set(ids).size, ids.length);
    });
  });

  describe("derivedNoteId", () => {
    it("is a note id's 26 Crockford characters, the same for the same file, line and row", () => {
      const id = derivedNoteId("imports/notes.csv", 2, ["ada", "Buy milk"]);
      assert.match(id, NOTE_ID);
      assert.equal(isValidId(id), true);
      assert.equal(derivedNoteId("imports/notes.csv", 2, ["ada", "Buy milk"]), id);
    });

    it("differs with the file, the line or the row's content", () => {
      const id = derivedNoteId("imports/notes.csv", 2, ["ada", "Buy milk"]);
      for (const other of [
        derivedNoteId("imports/other.csv", 2, ["ada", "Buy milk"]),
        derivedNoteId("imports/notes.csv", 3, ["ada", "Buy milk"]),
        derivedNoteId("imports/notes.csv", 2, ["ada", "Buy milk!"]),
        derivedNoteId("imports/notes.csv", 2, ["adaB", "uy milk"]),
      ]) {
        assert.notEqual(other, id);
      }
    });

    it("sorts the rows of one file in line order", () => {
      const ids = [2, 3, 10, 33, 1_000, 1_000_000].map((line) =>
        derivedNoteId("imports/notes.csv", line, ["ada", "same text"]),
      );
      assert.deepEqual([...ids].sort(), ids);
      assert.throws(() => derivedNoteId("imports/notes.csv", 0, []), /out of range/);
    });
  });
});
