// During `pulumi preview`, a value computed from a resource that does not exist yet is unknown, and
// reading it from the props the library hands a policy throws the library's UnknownValueError. A
// rule reads through `PreviewGaps`: it decides every check whose values are known, skips the ones
// that depend on an unknown, and at the end hands the first skipped unknown back to the library,
// which reports "can't run policy ... during preview" as an advisory — never a violation.
// `pulumi up` runs the same rules again with every value known.
import * as policy from "@pulumi/policy";

// The library exports the error class at run time but leaves it out of its typings.
const { UnknownValueError } = policy as unknown as {
  UnknownValueError: new (...args: never[]) => Error;
};

/** A value that cannot be known until `pulumi up`, with the library's error that said so. */
export class Unknown {
  constructor(readonly error: Error) {}
}

export const isUnknown = (value: unknown): value is Unknown => value instanceof Unknown;

export class PreviewGaps {
  private first?: Error;

  /**
   * What `get` computes, or `Unknown` when it touched an unknown value. Compute the answer inside
   * `get`: nested values read later, outside it, may still be unknown.
   */
  read<T>(get: () => T): T | Unknown {
    try {
      return get();
    } catch (err) {
      if (err instanceof UnknownValueError) return new Unknown(err);
      throw err;
    }
  }

  /** Records that a check was left undecided because of this unknown value. */
  skip(unknown: Unknown): void {
    this.first ??= unknown.error;
  }

  /** Ends the rule: an undecided check becomes the library's preview advisory. */
  finish(): void {
    if (this.first) throw this.first;
  }
}
