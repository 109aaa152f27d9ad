import { strict as assert } from "node:assert";
import { flag, forEachStack, physical } from "../support/stackSuite";
import { assertPrivateBucket } from "../support/privateBucket";

forEachStack("ApplicationRole", (graph) => {
  const parts = () => {
    const g = graph();
    const component = g.resource("serverless-notes:iam:ApplicationRole");
    const [role] = g.children(component, "aws:iam/role:Role");
    const [policy] = g.children(component, "aws:iam/policy:Policy");
    assert.ok(role && policy);
    return { component, role, policy };
  };

  it("is the EC2 role of the course, with an instance profile", () => {
    const { role } = parts();
    assert.equal(role.inputs.name, physical(graph(), "notes-application-role"));
    assert.deepEqual(role.inputs.assumeRolePolicy, {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
      ],
    });
    graph().hasResource("aws:iam/instanceProfile:InstanceProfile", { role: role.state.name });
    assert.equal(graph().outputs.applicationRoleArn, role.state.arn);
  });

  it("has exactly ReadOnlyAccess, AmazonSSMManagedInstanceCore and S3-Delete-Bucket-Policy attached", () => {
    const { role, policy } = parts();
    const attached = graph()
      .all()
      .filter(
        (r) =>
          r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
          r.inputs.role === role.state.name,
      )
      .map((r) => r.inputs.policyArn)
      .sort();
    assert.deepEqual(
      attached,
      [
        "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        policy.state.arn,
      ].sort(),
    );
    assert.equal(graph().outputs.deleteBucketPolicyArn, policy.state.arn);
  });

  it("S3-Delete-Bucket-Policy allows s3:DeleteBucket on one deleteme bucket and nothing else", () => {
    const g = graph();
    const { policy } = parts();
    assert.equal(policy.inputs.name, physical(g, "S3-Delete-Bucket-Policy"));
    const expectedName = `${physical(g, "deleteme")}-123456789012`;
    assert.deepEqual(policy.inputs.policy, {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:DeleteBucket", Resource: `arn:aws:s3:::${expectedName}` },
      ],
    });
    const labBuckets = g
      .all()
      .filter((r) => r.type === "aws:s3/bucket:Bucket" && r.inputs.bucket === expectedName);
    assert.equal(labBuckets.length, flag(g, "labBucket") ? 1 : 0);
  });

  it("keeps the lab bucket private, encrypted and TLS-only where it exists", function () {
    const g = graph();
    if (!flag(g, "labBucket")) {
      assert.equal(
        g
          .all()
          .filter(
            (r) => r.type === "serverless-notes:bucket:PrivateBucket" && r.name === "lab-deleteme",
          ).length,
        0,
      );
      return;
    }
    const lab = g.resource("aws:s3/bucket:Bucket", {
      bucket: `${physical(g, "deleteme")}-123456789012`,
    });
    assertPrivateBucket(g, lab);
  });
});
