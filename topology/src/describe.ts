// `topology describe`: the catalogue as text and as a Mermaid diagram (embedded in README.md).
import { names as resolveNames, type StageId, stages, type TopicId, topics } from "@ledgerline/catalogue";

export const describeText = (names = resolveNames()): string => {
  const lines = ["Topics:"];
  for (const id of Object.keys(topics) as TopicId[]) {
    const spec = topics[id];
    const config = Object.entries(spec.config)
      .map(([key, value]) => `${key}=${value}`)
      .join(", ");
    lines.push(
      `  ${names.topic(id)}  (${spec.partitions} partitions, replicated as the cluster allows; ${config})`,
    );
    lines.push(`    key: ${spec.key.format} — ${spec.key.doc}`);
    lines.push(
      `    value: subject ${names.valueSubject(id)}, ${spec.value.schemaFile}, ${spec.value.compatibility}`,
    );
    lines.push(`    ${spec.doc}`);
  }
  lines.push("", "Stages:");
  for (const id of Object.keys(stages) as StageId[]) {
    const spec = stages[id] as (typeof stages)[StageId] & {
      group?: string;
      transactionalIdPrefix?: string;
      dlq?: TopicId;
      tables?: readonly TopicId[];
    };
    lines.push(`  ${spec.name} — ${spec.doc}`);
    if (spec.group) lines.push(`    group: ${names.group(id)}`);
    if (spec.inputs.length) lines.push(`    reads: ${spec.inputs.map((t) => names.topic(t)).join(", ")}`);
    if (spec.tables?.length) lines.push(`    tables: ${spec.tables.map((t) => names.topic(t)).join(", ")}`);
    if (spec.outputs.length) lines.push(`    writes: ${spec.outputs.map((t) => names.topic(t)).join(", ")}`);
    if (spec.dlq) lines.push(`    dead letters: ${names.topic(spec.dlq)}`);
    if (spec.transactionalIdPrefix)
      lines.push(`    transactional id: ${names.transactionalId(id, "<instance>")}`);
  }
  return lines.join("\n");
};

const nodeId = (name: string) => name.replace(/[^a-zA-Z0-9]/g, "_");

export const describeMermaid = (names = resolveNames()): string => {
  const lines = ["flowchart LR", '  client(["upstream systems"]) -- "POST /v1/transactions" --> gateway'];
  for (const id of Object.keys(topics) as TopicId[])
    lines.push(`  ${nodeId(names.topic(id))}[["${names.topic(id)}"]]`);
  lines.push('  ledger[("Postgres ledger + outbox")]');
  for (const id of Object.keys(stages) as StageId[]) {
    const spec = stages[id] as (typeof stages)[StageId] & { dlq?: TopicId; tables?: readonly TopicId[] };
    const stage = nodeId(spec.name);
    lines.push(`  ${stage}("${spec.name}")`);
    for (const input of spec.inputs) lines.push(`  ${nodeId(names.topic(input))} --> ${stage}`);
    for (const table of spec.tables ?? [])
      lines.push(`  ${nodeId(names.topic(table))} -. table .-> ${stage}`);
    for (const output of spec.outputs) lines.push(`  ${stage} --> ${nodeId(names.topic(output))}`);
    if (spec.dlq && !(spec.outputs as readonly TopicId[]).includes(spec.dlq)) {
      lines.push(`  ${stage} -. dead letters .-> ${nodeId(names.topic(spec.dlq))}`);
    }
  }
  lines.push("  ledger_sink --> ledger", "  ledger --> outbox_relay");
  return lines.join("\n");
};
