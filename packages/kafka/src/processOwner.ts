// Which process a Kafka client belongs to, written into its client id, so that a group's description
// tells a live member from a dead one (instanceClaim.ts).
import { hostname } from "node:os";

export interface ProcessOwner {
  readonly host: string;
  readonly pid: number;
}

export const thisProcess = (): ProcessOwner => ({ host: hostname(), pid: process.pid });

/** The client id a static member's consumer uses: its owner after the stage's client id. */
export const ownedClientId = (clientId: string, owner: ProcessOwner = thisProcess()) =>
  `${clientId}@${owner.host}/${owner.pid}`;

export const ownerOf = (clientId: string): ProcessOwner | undefined => {
  const match = /@([^@/]+)\/(\d+)$/.exec(clientId);
  return match ? { host: match[1]!, pid: Number(match[2]) } : undefined;
};
