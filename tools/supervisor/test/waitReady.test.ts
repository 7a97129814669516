// npm start's last step: an app that does not become ready within the bound fails the command, naming
// the app, what its /ready said, and its last log lines.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { freePort, REPO_ROOT } from "@ledgerline/testkit";
import { afterAll, describe, expect, it } from "vitest";

describe("waiting for readiness", () => {
  const stateDir = mkdtempSync(join(tmpdir(), "ledgerline-wait-"));
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it("fails after the bound with the app's last log lines", async () => {
    mkdirSync(join(stateDir, "logs"), { recursive: true });
    writeFileSync(
      join(stateDir, "logs", "processor.log"),
      "starting\nprocessor: fatal Misconfigured: no ACL. Fix: grant it.\n",
    );
    const port = await freePort();
    const result = await promisify(execFile)(
      process.execPath,
      [resolve(REPO_ROOT, "tools/supervisor/src/waitReady.ts"), "--timeout", "2"],
      {
        env: {
          ...process.env,
          LEDGERLINE_STATE: stateDir,
          SUPERVISOR_APPS: "processor",
          PROCESSOR_METRICS_PORT: String(port),
        },
      },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("processor not ready after 2 s");
    expect(result.stderr).toContain(`no answer at http://127.0.0.1:${port}/ready`);
    expect(result.stderr).toContain("fatal Misconfigured: no ACL. Fix: grant it.");
  });
});
