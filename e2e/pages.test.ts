// The gateway's pages in a real browser (Debian's Chromium through playwright-core) against the running
// pipeline, with every request that would leave the host refused: /docs renders and "Try it out" posts a
// transaction; /reports shows seeded Historical rows, a live Completed one and its chart; /console shows
// every stage ready and its objectives met, and the processor down within seconds of its SIGKILL.
// Screenshots of each page go to .ledgerline/screenshots/.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  CHROMIUM,
  chromiumAvailable,
  launchBrowser,
  type Pipeline,
  REPO_ROOT,
  runScript,
  startPipeline,
} from "@ledgerline/testkit";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const SHOTS = join(REPO_ROOT, ".ledgerline/screenshots");
// Run in the page (as text: this file is compiled without the DOM's types).
const CHART_RENDERED = `document.body.dataset.chart === "rendered"`;
const CHART_DATA = `(() => {
  const canvas = document.getElementById("totals-chart");
  const chart = window.Chart.getChart(canvas);
  return chart ? { labels: chart.data.labels, datasets: chart.data.datasets.map((d) => ({ label: d.label, data: d.data })), width: canvas.width } : null;
})()`;
const auth = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };

describe("the gateway's pages in a browser", () => {
  let pipeline: Pipeline;
  let browser: Browser;
  let context: BrowserContext;
  /** Requests the page tried to send off the host (refused). */
  const offHost: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!chromiumAvailable())
      throw new Error(`Chromium not found at ${CHROMIUM}: run bash ops/bin/browser.sh (npm test does)`);
    mkdirSync(SHOTS, { recursive: true });
    [pipeline, browser] = await Promise.all([
      startPipeline("pages", undefined, { opsEndpoints: true }),
      launchBrowser(),
    ]);
    await pipeline.awaitReady();
    // /reports and /console are ops pages: the browser answers their Basic challenge with the
    // development key (any user name, the key as password), as a person does in the sign-in dialog.
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      httpCredentials: { username: "ops", password: "dev-key-change-me" },
    });
    const origin = new URL(pipeline.gatewayUrl).origin;
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`)) return route.continue();
      offHost.push(url);
      return route.abort("blockedbyclient");
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await pipeline?.stop();
  });

  const open = async (path: string): Promise<Page> => {
    const page = await context.newPage();
    page.on("pageerror", (error) => pageErrors.push(`${path}: ${error.message}`));
    await page.goto(`${pipeline.gatewayUrl}${path}`, { waitUntil: "load" });
    return page;
  };

  const posted = async (id: string) => {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions/${id}`, { headers: auth });
      if (response.status === 200 && ((await response.json()) as { status: string }).status === "posted")
        return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${id} not posted within 30 s`);
  };

  it("/docs renders without the internet and 'Try it out' posts a transaction (202)", async () => {
    const page = await open("/docs");
    await page.locator(".swagger-ui .info .title").waitFor({ timeout: 15_000 });
    expect(await page.locator(".swagger-ui .info .title").textContent()).toContain("ledgerline gateway");

    await page.locator("button.authorize").first().click();
    const bearer = page.locator(".dialog-ux .auth-container", { hasText: "bearerAuth" });
    await bearer.locator("input").first().fill("dev-key-change-me");
    await bearer.locator("button.authorize").click();
    const dialog = page.locator(".dialog-ux");
    await dialog.locator("button.close-modal").click();

    const operation = page.locator(".opblock-post", {
      has: page.locator('.opblock-summary-path[data-path="/v1/transactions"]'),
    });
    await operation.locator(".opblock-summary").click();
    const body = operation.locator("textarea.body-param__text");
    await body.waitFor();
    await body.fill(
      JSON.stringify({
        account_id: "ACC-4242",
        amount: "42.00",
        currency: "USD",
        merchant_name: "Docs Page Cafe",
      }),
    );
    await operation.locator("button.execute").click();
    const status = operation.locator(".live-responses-table tbody .response-col_status").first();
    await status.waitFor({ timeout: 15_000 });
    expect((await status.textContent())?.trim()).toBe("202");
    const answer = JSON.parse(
      (await operation.locator(".live-responses-table tbody .microlight").first().textContent()) ?? "{}",
    ) as { transaction_id?: string };
    expect(answer.transaction_id).toMatch(/^[0-9a-f-]{36}$/);
    await posted(answer.transaction_id!);
    await page.screenshot({ path: join(SHOTS, "docs.png"), fullPage: false });
    expect(offHost).toEqual([]);
  });

  it("/reports shows the seeded Historical rows and a live Completed one, with its chart", async () => {
    const seeded = await runScript("tools/ledgerline/src/main.ts", ["seed", "--count", "20"], {
      env: pipeline.env,
    });
    expect(seeded.code, seeded.output).toBe(0);
    const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        account_id: "ACC-7890",
        amount: 1250.75,
        currency: "USD",
        merchant_name: "Chicago Retail Hub",
      }),
    });
    expect(response.status).toBe(202);
    const { transaction_id } = (await response.json()) as { transaction_id: string };
    await posted(transaction_id);

    const page = await open("/reports");
    await page.waitForFunction(CHART_RENDERED);
    const statuses = await page.locator("#rows tbody tr td:nth-child(6)").allTextContents();
    expect(statuses.filter((s) => s === "Historical").length).toBeGreaterThanOrEqual(20);
    const live = page.locator("#rows tbody tr", { hasText: transaction_id });
    expect(await live.locator("td:nth-child(6)").textContent()).toBe("Completed");
    // The chart drew bars for the totals: one dataset per status, one bar per currency.
    const chart = (await page.evaluate(CHART_DATA)) as {
      labels: string[];
      datasets: { label: string; data: number[] }[];
      width: number;
    } | null;
    expect(chart?.width).toBeGreaterThan(100);
    expect(chart?.datasets.map((d) => d.label)).toEqual(expect.arrayContaining(["Historical", "Completed"]));
    expect(chart?.labels).toContain("USD");

    // Filter to the live row's account: the table and the totals follow, and the CSV link carries the filter.
    await page.locator('input[name="account_id"]').fill("ACC-7890");
    await Promise.all([
      page.waitForURL(/account_id=ACC-7890/),
      page.locator('#filters button[type="submit"]').click(),
    ]);
    expect(await page.locator("#rows tbody tr").count()).toBe(1);
    expect(await page.locator("#csv").getAttribute("href")).toContain("account_id=ACC-7890");
    await page.goto(`${pipeline.gatewayUrl}/reports`);
    await page.waitForFunction(CHART_RENDERED);
    await page.screenshot({ path: join(SHOTS, "reports.png"), fullPage: true });
    expect(offHost).toEqual([]);
  });

  it("/console shows every stage ready, and the processor down within seconds of its SIGKILL", async () => {
    const page = await open("/console");
    for (const stage of ["gateway", "processor", "ledger-sink"])
      await page.locator(`[data-stage="${stage}"][data-state="ready"]`).waitFor({ timeout: 20_000 });
    await page.waitForFunction(CHART_RENDERED);
    expect(await page.locator("#overall").textContent()).toBe("flowing");
    // The objectives the alert rules hold the pipeline to, judged from what the gateway sees.
    const objective = (id: string, subject?: string) =>
      page.locator(`#objectives tr[data-objective="${id}"]${subject ? `[data-subject="${subject}"]` : ""}`);
    for (const stage of ["gateway", "processor", "ledger-sink"])
      await objective("stage_ready", stage)
        .and(page.locator('[data-state="ok"]'))
        .waitFor({ timeout: 10_000 });
    for (const id of ["postgres", "registry", "partition_blocked", "outbox_age", "outbox_parked"])
      await objective(id).and(page.locator('[data-state="ok"]')).waitFor({ timeout: 10_000 });
    expect(await objective("outbox_age").locator("td:nth-child(2)").textContent()).toBe("≤ 60 s");
    // A transaction posted while the console samples: accept→posted's p99 is measured (ok or breached).
    const accepted = await fetch(`${pipeline.gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({
        account_id: "ACC-5150",
        amount: 5,
        currency: "USD",
        merchant_name: "Console Cafe",
      }),
    });
    expect(accepted.status).toBe(202);
    await posted(((await accepted.json()) as { transaction_id: string }).transaction_id);
    const p99 = objective("accept_to_posted").and(page.locator(':not([data-state="not_measured"])'));
    await p99.waitFor({ timeout: 10_000 });
    console.log(`console: accept→posted p99 ${await p99.locator("td:nth-child(3)").textContent()}`);
    await page.screenshot({ path: join(SHOTS, "console.png"), fullPage: true });

    const killedAt = Date.now();
    await pipeline.kill("processor");
    await page.locator('[data-stage="processor"][data-state="down"]').waitFor({ timeout: 10_000 });
    console.log(`console: processor shown down ${Date.now() - killedAt} ms after its SIGKILL`);
    expect(await page.locator("#overall").textContent()).toBe("degraded");
    await objective("stage_ready", "processor").and(page.locator('[data-state="breached"]')).waitFor();
    await page.screenshot({ path: join(SHOTS, "console-processor-down.png"), fullPage: true });

    pipeline.start("processor");
    await page.locator('[data-stage="processor"][data-state="ready"]').waitFor({ timeout: 60_000 });
    // The console noticed the new process.
    await page.locator("#restarts tbody tr", { hasText: "processor" }).waitFor({ timeout: 10_000 });
    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
