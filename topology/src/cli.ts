#!/usr/bin/env node
// topology CLI: apply | describe [--mermaid] | check | acls | strimzi. Exit codes as the ledgerline CLI's (@ledgerline/resilience's
// CliFailure): 0 ok, 1 failed check, 2 usage error (command line or setting), 3 unreachable service.
import { parseArgs } from "node:util";
import { names } from "@ledgerline/catalogue";
import { CliFailure, ExitCode, exitCodeFor } from "@ledgerline/resilience";
import { aclCommands, applyAcls, PRINCIPAL_ROLES, type PrincipalRole } from "./acls.ts";
import { applyTopology } from "./apply.ts";
import { environmentFrom } from "./Config.ts";
import { checkReplication, checkTopology } from "./check.ts";
import { connectAdmin, connectRegistry, UnreachableError } from "./connect.ts";
import { describeMermaid, describeText } from "./describe.ts";
import { STRIMZI_FILE, strimziText } from "./strimzi.ts";

const usage = `usage: topology <command> [options]
  apply               create missing topics, report config drift, register schemas (idempotent)
  describe [--mermaid] print the catalogue as text or as a Mermaid diagram
  check [--dir DIR]   fail when a schema is not compatible with the latest registered version, or a topic
                      is replicated less than the cluster allows (3 copies, 2 in sync, from 3 brokers)
  acls [--apply gateway=USER,processor=USER,ledger-sink=USER,ops=USER]
                      print (or grant, as the admin principal) the Kafka ACLs each principal needs
  strimzi [--write]   print (or write to ${STRIMZI_FILE}) the Helm chart's topics and users with their ACLs
options: --namespace NS (default $LEDGERLINE_NAMESPACE), --json
env: KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL (and KAFKA_SASL_*, KAFKA_SSL_*), SCHEMA_REGISTRY_URL,
  LEDGERLINE_NAMESPACE`;

const main = async (): Promise<number> => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      mermaid: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      namespace: { type: "string" },
      dir: { type: "string" },
      apply: { type: "string" },
      write: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command] = positionals;
  if (values.help || !command) {
    console.log(usage);
    return values.help ? ExitCode.ok : ExitCode.usage;
  }
  const environment = (() => {
    try {
      return environmentFrom();
    } catch (error) {
      throw CliFailure.usage((error as Error).message);
    }
  })();
  const resolved = names(values.namespace ?? environment.namespace);

  switch (command) {
    case "describe":
      console.log(values.mermaid ? describeMermaid(resolved) : describeText(resolved));
      return 0;
    case "apply": {
      const admin = await connectAdmin(environment);
      try {
        const registry = await connectRegistry(environment);
        const report = await applyTopology({ admin, registry, names: resolved });
        if (values.json) console.log(JSON.stringify(report, null, 2));
        else {
          const { replicationFactor, minInsyncReplicas } = report.replication;
          console.log(
            `cluster of ${report.brokers} broker${report.brokers === 1 ? "" : "s"}: topics get replication factor ${replicationFactor}, min.insync.replicas ${minInsyncReplicas}`,
          );
          for (const topic of report.createdTopics) console.log(`created topic ${topic}`);
          for (const line of report.drift) console.log(`drift: ${line}`);
          for (const { subject, id } of report.registered) console.log(`registered ${subject} (id ${id})`);
          const unchanged = report.existingTopics.length + report.unchangedSubjects.length;
          console.log(
            `topology applied: ${report.createdTopics.length} topics created, ${report.registered.length} schemas registered, ${unchanged} unchanged, ${report.drift.length} drift`,
          );
        }
        return 0;
      } finally {
        await admin.close();
      }
    }
    case "check": {
      const registry = await connectRegistry(environment);
      const results = await checkTopology(registry, resolved, { directory: values.dir });
      const admin = await connectAdmin(environment);
      const replication = await checkReplication(admin, resolved).finally(() => admin.close());
      if (values.json) console.log(JSON.stringify({ schemas: results, replication }, null, 2));
      else {
        for (const r of results) console.log(`${r.status.padEnd(12)} ${r.subject}  ${r.messages.join("; ")}`);
        for (const finding of replication.findings) console.log(`replication  ${finding}`);
        if (replication.findings.length === 0)
          console.log(
            `replication  every topic as a cluster of ${replication.brokers} broker${replication.brokers === 1 ? "" : "s"} allows (factor ${replication.replication.replicationFactor}, min.insync.replicas ${replication.replication.minInsyncReplicas})`,
          );
      }
      return results.some((r) => r.status === "incompatible") || replication.findings.length > 0 ? 1 : 0;
    }
    case "strimzi": {
      const text = strimziText(resolved);
      if (!values.write) process.stdout.write(text);
      else {
        const { writeFileSync } = await import("node:fs");
        writeFileSync(new URL(`../../${STRIMZI_FILE}`, import.meta.url), text);
        console.log(`wrote ${STRIMZI_FILE}`);
      }
      return 0;
    }
    case "acls": {
      if (values.apply === undefined) {
        for (const role of PRINCIPAL_ROLES) {
          console.log(`# ${role}`);
          for (const line of aclCommands(role, resolved)) console.log(line);
        }
        return 0;
      }
      const principals: Partial<Record<PrincipalRole, string>> = {};
      for (const pair of values.apply.split(",")) {
        const [role, user] = pair.split("=").map((part) => part.trim());
        if (!role || !user || !(PRINCIPAL_ROLES as readonly string[]).includes(role)) {
          console.error(
            `--apply takes <role>=<user>,… with roles ${PRINCIPAL_ROLES.join(", ")}; got "${pair}"`,
          );
          return ExitCode.usage;
        }
        principals[role as PrincipalRole] = `User:${user}`;
      }
      const admin = await connectAdmin(environment);
      try {
        const count = await applyAcls(admin, resolved, principals);
        console.log(`granted ${count} ACLs to ${Object.values(principals).join(", ")}`);
        return 0;
      } finally {
        await admin.close();
      }
    }
    default:
      console.error(`unknown command: ${command}\n${usage}`);
      return ExitCode.usage;
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // connect.ts names the service it could not reach (Kafka or the registry): an outage, exit 3.
    const failure = error instanceof UnreachableError ? CliFailure.unreachable(error.message) : error;
    console.error(`topology: ${failure instanceof CliFailure ? failure.text : (error as Error).message}`);
    process.exit(exitCodeFor(failure));
  },
);
