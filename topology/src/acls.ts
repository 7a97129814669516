// The Kafka ACLs each principal needs, derived from the catalogue: what a stage reads, writes, which
// group it joins and which transactional ids it holds. Nothing more, so a broker with
// allow.everyone.if.no.acl.found=false runs the pipeline with least privilege. Pure, plus applyAcls.

import { type Names, stages } from "@ledgerline/catalogue";
import type { Admin } from "@platformatic/kafka";
import { AclOperations, AclPermissionTypes, ResourcePatternTypes, ResourceTypes } from "@platformatic/kafka";

/** Who needs ACLs: the three stages (the sink runs the outbox relay) and ops (the CLI's DLQ commands). */
export const PRINCIPAL_ROLES = ["gateway", "processor", "ledger-sink", "ops"] as const;
export type PrincipalRole = (typeof PRINCIPAL_ROLES)[number];

export interface AclSpec {
  readonly resource: "TOPIC" | "GROUP" | "TRANSACTIONAL_ID";
  readonly name: string;
  readonly pattern: "LITERAL" | "PREFIXED";
  readonly operation: "READ" | "WRITE" | "DESCRIBE";
  /** Why the role needs it (printed by `topology acls`). */
  readonly why: string;
}

export const aclsFor = (role: PrincipalRole, n: Names): AclSpec[] => {
  const topic = (
    id: Parameters<Names["topic"]>[0],
    operation: AclSpec["operation"],
    why: string,
  ): AclSpec => ({
    resource: "TOPIC",
    name: n.topic(id),
    pattern: "LITERAL",
    operation,
    why,
  });
  const group = (
    name: string,
    operation: AclSpec["operation"],
    why: string,
    pattern: AclSpec["pattern"] = "LITERAL",
  ): AclSpec => ({
    resource: "GROUP",
    name,
    pattern,
    operation,
    why,
  });
  const transactions = (stage: "processor" | "outboxRelay" | "dlqReplay"): AclSpec => ({
    resource: "TRANSACTIONAL_ID",
    // The instance id follows the prefix: one ACL covers every instance.
    name: n.transactionalId(stage, ""),
    pattern: "PREFIXED",
    operation: "WRITE",
    why: `its Kafka transactions (${stages[stage].name})`,
  });
  switch (role) {
    case "gateway":
      return [
        topic("requested", "WRITE", "produces accepted transactions"),
        // GET /status reads the stages' consumer lag.
        ...(["requested", "validated", "rejected", "dlq"] as const).map((id) =>
          topic(id, "DESCRIBE", "GET /status: lag"),
        ),
        group(n.group("processor"), "DESCRIBE", "GET /status: the processor's lag"),
        group(n.group("ledgerSink"), "DESCRIBE", "GET /status: the sink's lag"),
      ];
    case "processor":
      return [
        ...stages.processor.inputs.map((id) => topic(id, "READ", "consumes it")),
        group(n.group("processor"), "READ", "its consumer group and the offsets its transactions commit"),
        ...stages.processor.tables.map((id) => topic(id, "READ", "reads the table whole")),
        // Each read of the FX table uses a private, never-committed group named after the topic.
        group(`${n.topic("fxRates")}.reader.`, "READ", "reads the FX table", "PREFIXED"),
        ...[...stages.processor.outputs, stages.processor.dlq].map((id) => topic(id, "WRITE", "produces it")),
        transactions("processor"),
      ];
    case "ledger-sink":
      return [
        ...stages.ledgerSink.inputs.map((id) => topic(id, "READ", "consumes it")),
        group(n.group("ledgerSink"), "READ", "its consumer group (offsets live in Postgres)"),
        // The outbox relay runs in the sink process: posted events and DLQ events through the outbox.
        ...[...stages.outboxRelay.outputs, stages.ledgerSink.dlq].map((id) =>
          topic(id, "WRITE", "the outbox relay publishes it"),
        ),
        transactions("outboxRelay"),
        // Its /metrics reports the processor's lag too.
        topic("requested", "DESCRIBE", "/metrics: the processor's lag"),
        group(n.group("processor"), "DESCRIBE", "/metrics: the processor's lag"),
      ];
    case "ops":
      return [
        topic("dlq", "READ", "ledgerline dlq list / show / replay"),
        ...stages.ledgerSink.inputs
          .filter((id) => id !== "dlq")
          .map((id) => topic(id, "DESCRIBE", "ledgerline sink positions: log start and end")),
        group(n.group("dlqReplay"), "READ", "dlq replay's groups (one per selection)", "PREFIXED"),
        ...stages.dlqReplay.outputs.map((id) => topic(id, "WRITE", "dlq replay writes records back")),
        transactions("dlqReplay"),
      ];
  }
};

/** Grants each role's ACLs to its principal (`User:<name>`). Idempotent: Kafka keeps one copy of each. */
export const applyAcls = async (
  admin: Admin,
  n: Names,
  principals: Partial<Record<PrincipalRole, string>>,
): Promise<number> => {
  const creations = Object.entries(principals).flatMap(([role, principal]) =>
    aclsFor(role as PrincipalRole, n).map((acl) => ({
      resourceType: ResourceTypes[acl.resource],
      resourceName: acl.name,
      resourcePatternType: ResourcePatternTypes[acl.pattern],
      principal: principal as string,
      host: "*",
      operation: AclOperations[acl.operation],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
  if (creations.length > 0) await admin.createAcls({ creations });
  return creations.length;
};

/** The ACLs as kafka-acls.sh lines, for a reader who applies them by hand. */
export const aclCommands = (role: PrincipalRole, n: Names, principal = `User:${role}`): string[] =>
  aclsFor(role, n).map(
    (acl) =>
      `kafka-acls.sh --bootstrap-server <broker> --command-config <admin.properties> --add --allow-principal ${principal} ` +
      `--operation ${acl.operation === "READ" ? "Read" : acl.operation === "WRITE" ? "Write" : "Describe"} ` +
      `${acl.resource === "TOPIC" ? "--topic" : acl.resource === "GROUP" ? "--group" : "--transactional-id"} ${acl.name}` +
      `${acl.pattern === "PREFIXED" ? " --resource-pattern-type prefixed" : ""}   # ${acl.why}`,
  );
