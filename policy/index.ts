/**
 * The ws-exposure policy pack: `pulumi preview --policy-pack <path to this directory>`.
 * The policies live in ./policies (importable without starting the pack).
 */
import { PolicyPack } from "@pulumi/policy";
import { policies, stackPolicies } from "./policies";

new PolicyPack("ws-exposure", { enforcementLevel: "mandatory", policies: [...policies, ...stackPolicies] });
