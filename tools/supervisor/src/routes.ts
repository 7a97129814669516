// SUPERVISOR_ROUTES: per-app address rewrites, so one app's instances reach Kafka and Postgres through
// addresses of their own (the chaos checker's TCP proxies) while everything else keeps the real ones.
// "app=host:port>host:port,..." e.g. "processor=127.0.0.1:9092>127.0.0.1:41000". Every environment value
// of that app's instances has each address replaced (KAFKA_BOOTSTRAP_SERVERS, DATABASE_URL and the role
// URLs derived from it: postgres://u:p@127.0.0.1:5432/db), whatever the variable is called.
export interface Route {
  readonly from: string;
  readonly to: string;
}

export type ParsedRoutes<App extends string> =
  | { readonly _tag: "Routes"; readonly routes: ReadonlyMap<App, readonly Route[]> }
  | { readonly _tag: "Invalid"; readonly problem: string };

const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export const parseRoutes = <App extends string>(text: string, apps: readonly App[]): ParsedRoutes<App> => {
  const routes = new Map<App, Route[]>();
  for (const entry of text
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0)) {
    const match = /^([a-z-]+)=([^>]+)>(.+)$/.exec(entry);
    const [app, from, to] = match ? [match[1], match[2], match[3]] : [];
    if (!app || !from || !to || !ADDRESS.test(from) || !ADDRESS.test(to))
      return { _tag: "Invalid", problem: `entry '${entry}' is not app=host:port>host:port` };
    if (!(apps as readonly string[]).includes(app))
      return { _tag: "Invalid", problem: `entry '${entry}': ${app} is not one of ${apps.join(", ")}` };
    const list = routes.get(app as App) ?? [];
    if (list.some((r) => r.from === from)) return { _tag: "Invalid", problem: `${app} routes ${from} twice` };
    routes.set(app as App, [...list, { from, to }]);
  }
  return { _tag: "Routes", routes };
};

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The variables of `env` that the routes change, with their new values (all routes at once, so a route's
 *  target is never rewritten again). An address matches only whole: 127.0.0.1:5432 not in :54321. */
export const rewriteEnv = (
  env: Readonly<Record<string, string | undefined>>,
  routes: readonly Route[],
): Record<string, string> => {
  if (routes.length === 0) return {};
  const to = new Map(routes.map((r) => [r.from, r.to]));
  const pattern = new RegExp(
    `(?<![A-Za-z0-9.-])(${routes.map((r) => escapeRegExp(r.from)).join("|")})(?!\\d)`,
    "g",
  );
  const changed: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    const rewritten = value.replace(pattern, (address) => to.get(address) ?? address);
    if (rewritten !== value) changed[name] = rewritten;
  }
  return changed;
};
