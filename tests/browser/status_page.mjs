// Drives Debian's chromium (through playwright-core, no bundled browser) for the status page
// tests: `node status_page.mjs <mode> <json options>`; prints one JSON line per result.
//   views {url, views: [{width, scheme, path}]}
//                                         per view, one line: axe-core's violations (WCAG 2.2
//                                         A and AA rules) and a full-page screenshot, all
//                                         from one browser (a launch each cost 4.5 s of CPU
//                                         over the eight)
//   nojs  {url}                           the uptime table's rows with JavaScript off
//   live  {url, check}                    prints the check's status and the live mark each
//                                         time either changes, without reloading, until
//                                         stdin closes
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const [mode, raw] = process.argv.slice(2);
const options = JSON.parse(raw);
const print = (value) => process.stdout.write(JSON.stringify(value) + "\n");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", // CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    // Every host but loopback is unresolvable: a page that needed a CDN would show it.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
  ],
});

async function open(contextOptions, view = options) {
  const context = await browser.newContext({
    viewport: { width: view.width || 1280, height: 900 },
    colorScheme: view.scheme || "light",
    ...contextOptions,
  });
  const page = await context.newPage();
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(String(error)));
  await page.goto(view.url, { waitUntil: "load" });
  return { page, problems };
}

async function shot(view) {
  const { page } = await open({ deviceScaleFactor: 1 }, view);
  // The "Live" mark appears once the event stream is open.
  await page.waitForSelector("#live.on", { timeout: 10000 }).catch(() => {});
  await page.screenshot({ path: view.path, fullPage: true });
  await page.context().close();
  return view.path;
}

async function axe(view) {
  // axe is injected into a page whose CSP allows only its own script: bypass it for axe alone.
  const { page } = await open({ bypassCSP: true }, view);
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
    }),
  );
  await page.context().close();
  return {
    passes: result.passes.length,
    violations: result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    })),
  };
}

async function views() {
  for (const view of options.views) {
    const page = { ...view, url: options.url };
    print({ width: view.width, scheme: view.scheme, axe: await axe(page), path: await shot(page) });
  }
}

async function nojs() {
  const { page } = await open({ javaScriptEnabled: false });
  const rows = await page.$$eval("table.uptime tr", (trs) =>
    trs.map((tr) => [...tr.children].map((cell) => cell.textContent.trim().replace(/\s+/g, " "))),
  );
  const refresh = await page.$$eval("noscript", (nodes) => nodes.map((n) => n.innerHTML).join(""));
  print({ rows, noscript: refresh });
}

async function live() {
  const { page, problems } = await open({});
  await page.waitForSelector("#live.on", { timeout: 60000 });
  await page.evaluate(() => { window.__notReloaded = true; });
  const status = () =>
    page.evaluate((name) => {
      for (const row of document.querySelectorAll("table.uptime tbody tr")) {
        if (row.querySelector("th").textContent.trim() === name) {
          return row.querySelector(".chip").textContent.trim();
        }
      }
      return null;
    }, options.check);
  let last = null;
  let lastLive = null;
  let open_ = true;
  process.stdin.on("end", () => { open_ = false; });
  process.stdin.resume();
  while (open_) {
    // The page may be between servers (a restart): then the status reads as before.
    const now = await status().catch(() => last);
    const live = await page.evaluate(() => document.getElementById("live").textContent).catch(() => lastLive);
    if (now !== last || live !== lastLive) {
      const notReloaded = await page.evaluate(() => window.__notReloaded === true);
      print({ status: now, notReloaded, live, problems, at: Date.now() / 1000 });
      last = now;
      lastLive = live;
    }
    await page.waitForTimeout(50);
  }
}

try {
  await { views, nojs, live }[mode]();
} finally {
  await browser.close();
}
