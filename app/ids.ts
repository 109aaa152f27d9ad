// Ids: the shape accepted for user and note ids, and new note ids that sort by creation time.
import { createHash, randomBytes } from "node:crypto";

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const SOURCE_CHARS = 10;
const LINE_CHARS = 6;
const CONTENT_CHARS = 10;
const NOTE_ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True for a user or note id: 1 to 64 letters, digits, `_` or `-`. */
export function isValidId(value: unknown): value is string {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/**
 * Note ids the API's own paths use: `/users/{userId}/notes/export` is the export route, so a note
 * with that id could be listed but never read, edited or deleted.
 */
const RESERVED_NOTE_IDS: readonly string[] = ["export"];

/** True for a note id: a valid id that is not one of the API's own path segments. */
export function isValidNoteId(value: unknown): value is string {
  return isValidId(value) && !RESERVED_NOTE_IDS.includes(value);
}

function encodeTime(ms: number): string {
  let text = "";
  for (let i = 0; i < TIME_CHARS; i++) {
    text = CROCKFORD[ms % 32] + text;
    ms = Math.floor(ms / 32);
  }
  return text;
}

function decodeTime(id: string): number {
  let ms = 0;
  for (const char of id.slice(0, TIME_CHARS)) ms = ms * 32 + CROCKFORD.indexOf(char);
  return ms;
}

function randomPart(): string {
  // 256 is a multiple of 32, so masking a byte keeps every character equally likely.
  return Array.from(randomBytes(RANDOM_CHARS), (byte) => CROCKFORD[byte & 31]).join("");
}

/** The base-32 successor of `text`, or undefined when it is all `Z` and would overflow. */
function increment(text: string): string | undefined {
  const chars = text.split("");
  for (let i = chars.length - 1; i >= 0; i--) {
    const digit = CROCKFORD.indexOf(chars[i]);
    if (digit < 31) {
      chars[i] = CROCKFORD[digit + 1];
      return chars.join("");
    }
    chars[i] = CROCKFORD[0];
  }
  return undefined;
}

/**
 * A ULID-like note id: 26 Crockford base-32 characters, 10 of millisecond time then 16 random,
 * so string order is creation order. Given the `previous` id from the same process, the new id
 * is greater than it even within the same millisecond (or when the clock steps back).
 */
export function newNoteId(previous?: string, now: number = Date.now()): string {
  if (previous !== undefined && NOTE_ID_PATTERN.test(previous)) {
    const previousTime = decodeTime(previous);
    if (previousTime >= now) {
      const next = increment(previous.slice(TIME_CHARS));
      if (next !== undefined) return previous.slice(0, TIME_CHARS) + next;
      return encodeTime(previousTime + 1) + randomPart();
    }
  }
  return encodeTime(now) + randomPart();
}

/** `count` base-32 characters of a SHA-256 digest of the parts. */
function digestChars(parts: string[], count: number): string {
  const digest = createHash("sha256").update(parts.join("\u0000")).digest();
  // 256 is a multiple of 32, so masking a byte keeps every character equally likely.
  return Array.from(digest.subarray(0, count), (byte) => CROCKFORD[byte & 31]).join("");
}

/**
 * The id of an imported note that came without one: the same 26 characters as a note id, but
 * derived from where the row came from and what it says (a hash of the source's key, the row's
 * line, a hash of its content), so importing the same file again finds the same notes. Ids from
 * one file sort in line order; they do not encode a creation time.
 */
export function derivedNoteId(source: string, line: number, content: string[]): string {
  if (!Number.isSafeInteger(line) || line < 1 || line >= 32 ** LINE_CHARS) {
    throw new Error(`line ${line} is out of range for a derived note id`);
  }
  const lineChars = encodeTime(line).slice(TIME_CHARS - LINE_CHARS);
  return digestChars([source], SOURCE_CHARS) + lineChars + digestChars(content, CONTENT_CHARS);
}
