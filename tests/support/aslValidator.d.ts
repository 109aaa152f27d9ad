// asl-validator ships no types; this is the part of its API the tests use. It adds
// `QueryLanguage` to the states it is given: pass it a copy.
declare module "asl-validator" {
  interface ValidationResult {
    isValid: boolean;
    errors: { "Error code": string; Message: string }[];
  }
  function validator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): ValidationResult;
  export = validator;
}
