// One live process per instance id. A stage's instance id names its static group member (and the
// processor's transactional id): a restarted instance takes its member's place at once, which is what
// static membership is for. A second live process started with the same id would do the same to the
// running one and fence it, and the two would take turns forever. So before a stage joins its group (and
// before it initialises transactions, which would fence the other's producer) it looks at the group: a
// member with its id whose process is alive means the id is in use, and the stage refuses to start.
//
// How a member's process is known: a static member's consumer carries `@host/pid` in its client id. On
// this host, a pid that no longer runs is a crashed or killed predecessor: its place is taken over. On
// another host the pid cannot be looked at, so the stage waits one session timeout: a dead member is
// dropped by the coordinator by then, a live one is still there.
import type { ComponentHealth } from "@ledgerline/observability";
import { attempt, type BackoffOptions, retryTransient, StageFault } from "@ledgerline/resilience";
import { Admin } from "@platformatic/kafka";
import { Effect } from "effect";
import { clientBase, DEFAULT_SESSION_TIMEOUT_MS, type KafkaConnection } from "./clients.ts";
import { ownerOf, type ProcessOwner, thisProcess } from "./processOwner.ts";

/** The group member that holds an instance id, as DescribeGroups reports it. */
export interface StaticMember {
  readonly memberId: string;
  readonly groupInstanceId: string | null;
  readonly clientId: string;
  readonly clientHost: string;
}

export type InstanceClaim =
  /** No member has the id: the stage is the only one using it. */
  | { readonly _tag: "Free" }
  /** The member with the id was this host's process that no longer runs: take its place. */
  | { readonly _tag: "TakeOver"; readonly previous: ProcessOwner }
  /** A live process on this host has the id. */
  | { readonly _tag: "InUse"; readonly member: StaticMember }
  /** A process elsewhere (or without an owner tag) has the id: alive only if still there after a session. */
  | { readonly _tag: "WaitForSession"; readonly member: StaticMember };

/** Pure: what the members of the group say about `groupInstanceId`. */
export const decideInstanceClaim = (input: {
  readonly groupInstanceId: string;
  readonly self: ProcessOwner;
  readonly members: readonly StaticMember[];
  readonly isAlive: (pid: number) => boolean;
}): InstanceClaim => {
  const member = input.members.find((candidate) => candidate.groupInstanceId === input.groupInstanceId);
  if (!member) return { _tag: "Free" };
  const owner = ownerOf(member.clientId);
  if (!owner || owner.host !== input.self.host) return { _tag: "WaitForSession", member };
  if (owner.pid === input.self.pid) return { _tag: "Free" };
  return input.isAlive(owner.pid) ? { _tag: "InUse", member } : { _tag: "TakeOver", previous: owner };
};

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

export interface ClaimOptions {
  readonly connection: KafkaConnection;
  readonly groupId: string;
  readonly groupInstanceId: string;
  /** The member's session timeout: how long a dead member on another host stays in the group. */
  readonly sessionTimeoutMs?: number;
  /** The variable that sets the id, for the error ("PROCESSOR_INSTANCE_ID"). */
  readonly variable: string;
}

const inUse = (options: ClaimOptions, member: StaticMember) =>
  new StageFault({
    reason: "Misconfigured",
    message: `instance id ${options.groupInstanceId} is in use by a live process (${member.clientId}, from ${member.clientHost}) in group ${options.groupId}`,
    fix: `give each instance its own ${options.variable} (npm start numbers its instances itself), or stop the other process`,
  });

const membersOf = async (admin: Admin, groupId: string): Promise<StaticMember[]> => {
  const group = (await admin.describeGroups({ groups: [groupId] })).get(groupId);
  return [...(group?.members.values() ?? [])].map((member) => ({
    memberId: member.id,
    groupInstanceId: member.groupInstanceId ?? null,
    clientId: member.clientId,
    clientHost: member.clientHost,
  }));
};

/**
 * Resolves once this process may use the instance id; rejects with a Misconfigured StageFault when a
 * live process has it. Broker errors reject as they are (the caller retries them like any fault).
 */
export const claimInstance = async (options: ClaimOptions): Promise<InstanceClaim> => {
  const admin = new Admin(
    clientBase({ ...options.connection, clientId: `${options.connection.clientId}-claim` }),
  );
  try {
    const decide = async () =>
      decideInstanceClaim({
        groupInstanceId: options.groupInstanceId,
        self: thisProcess(),
        members: await membersOf(admin, options.groupId),
        isAlive,
      });
    const first = await decide();
    if (first._tag === "InUse") throw inUse(options, first.member);
    if (first._tag !== "WaitForSession") return first;
    const sessionTimeoutMs = options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    await new Promise((resolve) => setTimeout(resolve, sessionTimeoutMs + 2_000));
    const again = (await membersOf(admin, options.groupId)).find(
      (member) => member.groupInstanceId === options.groupInstanceId,
    );
    if (again) throw inUse(options, again);
    return { _tag: "Free" };
  } finally {
    await admin.close().catch(() => undefined);
  }
};

/**
 * claimInstance as a stage runs it at start: broker faults retried without limit (a new broker's group
 * coordinator may still be loading), an id in use fails with its Misconfigured fault, the outcome logged.
 */
export const claimInstanceId = (
  options: ClaimOptions & { readonly health: ComponentHealth; readonly retry?: BackoffOptions },
) =>
  Effect.gen(function* () {
    options.health.starting("checking the instance id is free");
    const claim = yield* attempt(() => claimInstance(options)).pipe(
      retryTransient({ health: options.health, what: "check the instance id", ...options.retry }),
    );
    yield* Effect.logInfo("instance id claimed").pipe(
      Effect.annotateLogs({ groupInstanceId: options.groupInstanceId, claim: claim._tag }),
    );
    return claim;
  });
