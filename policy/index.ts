// The serverless-notes policy pack: `pulumi preview --policy-pack policy` (and `pulumi up`) run it
// against every resource of the stack. Every rule is mandatory: a violation fails the command.
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, { policies, enforcementLevel: "mandatory" });
