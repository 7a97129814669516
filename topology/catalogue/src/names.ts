// Resolves logical names to real ones; a namespace isolates tests and parallel environments.
import { type StageId, stages, type TopicId, topics } from "./catalogue.ts";

export interface Names {
  readonly namespace: string;
  topic(id: TopicId): string;
  valueSubject(id: TopicId): string;
  group(stage: StageId): string;
  transactionalId(stage: StageId, instanceId: string): string;
  /** Finds the catalogue entry for a real topic name (e.g. a DLQ record's original topic). */
  topicIdOf(topicName: string): TopicId | undefined;
}

export const names = (namespace = ""): Names => {
  const prefix = (name: string) => (namespace ? `${namespace}.${name}` : name);
  const topic = (id: TopicId) => prefix(topics[id].name);
  return {
    namespace,
    topic,
    // Confluent TopicNameStrategy: subject = "<topic>-value".
    valueSubject: (id) => `${topic(id)}-value`,
    group: (stage) => {
      const spec = stages[stage];
      if (!("group" in spec)) throw new Error(`stage ${stage} has no consumer group`);
      return prefix(spec.group);
    },
    transactionalId: (stage, instanceId) => {
      const spec = stages[stage];
      if (!("transactionalIdPrefix" in spec)) throw new Error(`stage ${stage} is not transactional`);
      return `${prefix(spec.transactionalIdPrefix)}.${instanceId}`;
    },
    topicIdOf: (topicName) => (Object.keys(topics) as TopicId[]).find((id) => topic(id) === topicName),
  };
};
