// What each component of this process is doing right now (starting, ready, retrying a fault), for
// `GET /ready`, `GET /health` and the ledgerline_stage_ready gauge. One registry per process, like metrics.
import { metrics } from "./metrics.ts";

export type ComponentState =
  | { readonly state: "starting"; readonly since: string; readonly detail: string }
  | { readonly state: "ready"; readonly since: string; readonly detail?: string }
  | {
      readonly state: "retrying";
      readonly since: string;
      readonly reason: string;
      readonly message: string;
      readonly attempts: number;
    };

export interface ReadinessReport {
  readonly status: "ready" | "not_ready";
  readonly service: string;
  readonly instance: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly components: Readonly<Record<string, ComponentState>>;
}

const startedAt = new Date().toISOString();
const components = new Map<string, ComponentHealth>();
let identity = { service: "ledgerline", instance: "0" };

export class ComponentHealth {
  readonly name: string;
  #state: ComponentState;

  constructor(name: string) {
    this.name = name;
    this.#state = { state: "starting", since: new Date().toISOString(), detail: "starting" };
    metrics.stageReady.set({ stage: name }, 0);
  }

  get state(): ComponentState {
    return this.#state;
  }

  get isReady(): boolean {
    return this.#state.state === "ready";
  }

  starting(detail: string): void {
    this.#state = { state: "starting", since: new Date().toISOString(), detail };
    metrics.stageReady.set({ stage: this.name }, 0);
  }

  ready(detail?: string): void {
    if (this.#state.state !== "ready" || this.#state.detail !== detail) {
      this.#state = { state: "ready", since: new Date().toISOString(), ...(detail ? { detail } : {}) };
    }
    metrics.stageReady.set({ stage: this.name }, 1);
  }

  /** A fault is being retried; consecutive faults keep the first `since` and count attempts. */
  retrying(reason: string, message: string): void {
    const previous = this.#state;
    this.#state =
      previous.state === "retrying"
        ? { ...previous, reason, message, attempts: previous.attempts + 1 }
        : { state: "retrying", since: new Date().toISOString(), reason, message, attempts: 1 };
    metrics.stageReady.set({ stage: this.name }, 0);
  }
}

/** The health of one component of this process (a stage, the outbox relay, the FX table), created once. */
export const componentHealth = (name: string): ComponentHealth => {
  let component = components.get(name);
  if (!component) {
    component = new ComponentHealth(name);
    components.set(name, component);
  }
  return component;
};

/** Names this process in readiness reports (the service and its instance id). */
export const identifyProcess = (service: string, instance: string): void => {
  identity = { service, instance };
};

/** Ready when every component registered so far is ready (and at least one is registered). */
export const readinessReport = (): ReadinessReport => {
  const states = Object.fromEntries([...components].map(([name, component]) => [name, component.state]));
  const ready = components.size > 0 && [...components.values()].every((component) => component.isReady);
  return {
    status: ready ? "ready" : "not_ready",
    service: identity.service,
    instance: identity.instance,
    pid: process.pid,
    startedAt,
    components: states,
  };
};
