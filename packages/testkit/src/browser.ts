// Debian's Chromium, driven by playwright-core (no browser download): for page tests and screenshots.
// The flags keep it from reaching for the network on its own (this machine's network is closed).
import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";

export const CHROMIUM = process.env.LEDGERLINE_CHROMIUM ?? "/usr/bin/chromium";

export const chromiumAvailable = (): boolean => existsSync(CHROMIUM);

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });

/** Renders `url` (file:// or http://) to a PNG at `path`, full page. */
export const screenshot = async (url: string, path: string, width = 1200) => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(500);
    await page.screenshot({ path, fullPage: true });
  } finally {
    await browser.close();
  }
};
