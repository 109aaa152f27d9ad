import assert from "node:assert/strict";
import { accessDeniedMessage, evaluate } from "../../local/iam";
import type { Decision } from "../../local/iam";
import type { PolicyStatement } from "../../local/model";

const NOTES = "arn:aws:dynamodb:ap-northeast-2:123456789012:table/Notes";
const MEMBERS = "arn:aws:dynamodb:ap-northeast-2:123456789012:table/hello-member";

interface Case {
  name: string;
  statements: PolicyStatement[];
  action: string;
  resource: string;
  decision: Decision;
}

const cases: Case[] = [
  {
    name: "a wildcard inside an ARN segment does not run across a colon",
    statements: [
      {
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: "arn:aws:dynamodb:ap-*2:table/Notes",
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "a wildcard inside each ARN segment matches within it",
    statements: [
      {
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: "arn:aws:dynamodb:ap-*-2:1234*9012:table/No?es",
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "a wildcard that ends a segment runs on across colons",
    statements: [{ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:*" }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "`?` never matches a colon",
    statements: [
      {
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: "arn:aws:dynamodb:ap-northeast-2?123456789012:table/Notes",
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "an exact action on an exact resource is allowed",
    statements: [{ Effect: "Allow", Action: "dynamodb:GetItem", Resource: NOTES }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "one of a list of actions on one of a list of resources is allowed",
    statements: [
      {
        Effect: "Allow",
        Action: ["dynamodb:Query", "dynamodb:GetItem"],
        Resource: [MEMBERS, NOTES],
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "a service wildcard action is allowed",
    statements: [{ Effect: "Allow", Action: "dynamodb:*", Resource: NOTES }],
    action: "dynamodb:PutItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "a prefix wildcard action is allowed",
    statements: [{ Effect: "Allow", Action: "dynamodb:Get*", Resource: NOTES }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "a prefix wildcard action does not reach other actions",
    statements: [{ Effect: "Allow", Action: "dynamodb:Get*", Resource: NOTES }],
    action: "dynamodb:PutItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "`*` allows every action on every resource",
    statements: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    action: "dynamodb:DeleteTable",
    resource: MEMBERS,
    decision: "allow",
  },
  {
    name: "a wildcard resource across region, account and table is allowed",
    statements: [
      { Effect: "Allow", Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:*:*:table/*" },
    ],
    action: "dynamodb:Query",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "a wildcard resource of tables does not reach an index",
    statements: [{ Effect: "Allow", Action: "dynamodb:Query", Resource: `${NOTES}/index/*` }],
    action: "dynamodb:Query",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "NotAction allows the actions it does not list",
    statements: [{ Effect: "Allow", NotAction: "dynamodb:DeleteItem", Resource: NOTES }],
    action: "dynamodb:PutItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "NotAction does not allow the actions it lists",
    statements: [{ Effect: "Allow", NotAction: ["dynamodb:Delete*"], Resource: NOTES }],
    action: "dynamodb:DeleteItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "NotResource allows the resources it does not list",
    statements: [{ Effect: "Allow", Action: "dynamodb:GetItem", NotResource: MEMBERS }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "NotResource does not allow the resources it lists",
    statements: [{ Effect: "Allow", Action: "dynamodb:GetItem", NotResource: [MEMBERS, NOTES] }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "an explicit deny overrides an allow, whatever the order",
    statements: [
      { Effect: "Deny", Action: "dynamodb:DeleteItem", Resource: NOTES },
      { Effect: "Allow", Action: "dynamodb:*", Resource: "*" },
    ],
    action: "dynamodb:DeleteItem",
    resource: NOTES,
    decision: "explicitDeny",
  },
  {
    name: "a NotAction deny denies everything it does not list",
    statements: [
      { Effect: "Allow", Action: "dynamodb:*", Resource: "*" },
      { Effect: "Deny", NotAction: "dynamodb:GetItem", Resource: "*" },
    ],
    action: "dynamodb:PutItem",
    resource: NOTES,
    decision: "explicitDeny",
  },
  {
    name: "a deny that does not match leaves the allow in force",
    statements: [
      { Effect: "Allow", Action: "dynamodb:*", Resource: "*" },
      { Effect: "Deny", Action: "dynamodb:*", Resource: MEMBERS },
    ],
    action: "dynamodb:PutItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "no statement matching is an implicit deny",
    statements: [
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: MEMBERS },
      { Effect: "Allow", Action: "logs:PutLogEvents", Resource: "*" },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "no statements at all is an implicit deny",
    statements: [],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "action names compare case-insensitively",
    statements: [{ Effect: "Allow", Action: "DynamoDB:getitem", Resource: NOTES }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "resources compare case-sensitively",
    statements: [
      {
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: "arn:aws:dynamodb:ap-northeast-2:123456789012:table/notes",
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "`?` matches exactly one character",
    statements: [
      {
        Effect: "Allow",
        Action: "dynamodb:?etItem",
        Resource: "arn:aws:dynamodb:ap-northeast-2:123456789012:table/Note?",
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "`?` does not match an empty run",
    statements: [
      {
        Effect: "Allow",
        Action: "dynamodb:GetItem",
        Resource: "arn:aws:dynamodb:ap-northeast-2:123456789012:table/Notes?",
      },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "regular-expression characters in a pattern are literal",
    statements: [
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: "arn:aws:dynamodb:.*:table/Notes" },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "a statement without Resource or NotResource matches nothing",
    statements: [{ Effect: "Allow", Action: "dynamodb:GetItem" }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
  {
    name: "a deny without Resource or NotResource denies nothing",
    statements: [
      { Effect: "Deny", Action: "dynamodb:*" },
      { Effect: "Allow", Action: "dynamodb:GetItem", Resource: NOTES },
    ],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "allow",
  },
  {
    name: "a statement without Action or NotAction matches nothing",
    statements: [{ Effect: "Allow", Resource: "*" }],
    action: "dynamodb:GetItem",
    resource: NOTES,
    decision: "implicitDeny",
  },
];

/** A statement as a parsed document carries it: with fields the model does not name. */
const withCondition = (statement: PolicyStatement, sid: string): PolicyStatement =>
  ({
    ...statement,
    Sid: sid,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  }) as PolicyStatement;

describe("IAM policy evaluation", () => {
  for (const c of cases) {
    it(`${c.name}: ${c.decision}`, () => {
      assert.deepEqual(evaluate(c.statements, c.action, c.resource), { decision: c.decision });
    });
  }

  describe("a statement with a Condition", () => {
    it("throws, naming the statement, when it would decide an allow", () => {
      const statements = [
        { Effect: "Allow" as const, Action: "logs:PutLogEvents", Resource: "*" },
        withCondition({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: NOTES }, "ReadOwn"),
      ];
      assert.throws(
        () => evaluate(statements, "dynamodb:GetItem", NOTES),
        (err: Error) => {
          assert.match(err.message, /^IAM statement 2 \(Sid "ReadOwn"\) \{.*"Condition"/);
          assert.match(err.message, /not evaluated locally/);
          assert.ok(err.message.endsWith(`decides dynamodb:GetItem on ${NOTES}`), err.message);
          return true;
        },
      );
    });

    it("throws when it would decide a deny", () => {
      const statements = [
        { Effect: "Allow" as const, Action: "dynamodb:*", Resource: "*" },
        withCondition({ Effect: "Deny", Action: "dynamodb:*", Resource: "*" }, "TlsOnly"),
      ];
      assert.throws(() => evaluate(statements, "dynamodb:GetItem", NOTES), /Sid "TlsOnly"/);
    });

    it("does not throw when it cannot change the decision", () => {
      const conditionalAllow = withCondition(
        { Effect: "Allow", Action: "dynamodb:*", Resource: "*" },
        "Maybe",
      );
      const unconditional = (effect: "Allow" | "Deny"): PolicyStatement[] => [
        conditionalAllow,
        { Effect: effect, Action: "dynamodb:GetItem", Resource: NOTES },
      ];
      assert.deepEqual(evaluate(unconditional("Allow"), "dynamodb:GetItem", NOTES), {
        decision: "allow",
      });
      assert.deepEqual(evaluate(unconditional("Deny"), "dynamodb:GetItem", NOTES), {
        decision: "explicitDeny",
      });
      assert.deepEqual(evaluate([conditionalAllow], "s3:GetObject", NOTES), {
        decision: "implicitDeny",
      });
    });
  });

  describe("a statement AWS would refuse to deploy", () => {
    const malformed: [string, PolicyStatement, RegExp][] = [
      [
        "both Action and NotAction",
        { Effect: "Allow", Action: "dynamodb:*", NotAction: "dynamodb:Scan", Resource: "*" },
        /IAM statement 1 \{.*\} has both Action and NotAction$/,
      ],
      [
        "both Resource and NotResource",
        { Effect: "Allow", Action: "dynamodb:*", Resource: "*", NotResource: NOTES },
        /has both Resource and NotResource$/,
      ],
      [
        "an unknown Effect",
        { Effect: "allow", Action: "dynamodb:*", Resource: "*" } as unknown as PolicyStatement,
        /has the Effect "allow"; expected "Allow" or "Deny"$/,
      ],
    ];
    for (const [name, statement, message] of malformed) {
      it(`throws for ${name}`, () => {
        assert.throws(() => evaluate([statement], "dynamodb:GetItem", NOTES), message);
      });
    }
  });
});

describe("IAM access denied message", () => {
  const principal = "arn:aws:sts::123456789012:assumed-role/notes-get-role/notes-get";

  it("says no identity-based policy allows the action, for an implicit deny", () => {
    assert.equal(
      accessDeniedMessage(principal, "dynamodb:PutItem", NOTES, "implicitDeny"),
      "User: arn:aws:sts::123456789012:assumed-role/notes-get-role/notes-get is not authorized " +
        "to perform: dynamodb:PutItem on resource: " +
        "arn:aws:dynamodb:ap-northeast-2:123456789012:table/Notes " +
        "because no identity-based policy allows the dynamodb:PutItem action",
    );
  });

  it("names the explicit deny, for an explicit deny", () => {
    assert.equal(
      accessDeniedMessage(principal, "dynamodb:DeleteItem", NOTES, "explicitDeny"),
      "User: arn:aws:sts::123456789012:assumed-role/notes-get-role/notes-get is not authorized " +
        "to perform: dynamodb:DeleteItem on resource: " +
        "arn:aws:dynamodb:ap-northeast-2:123456789012:table/Notes " +
        "with an explicit deny in an identity-based policy",
    );
  });
});
