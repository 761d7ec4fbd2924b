// Opens /docs or /redoc in Debian's chromium and records every request the page makes:
// `node docs_offline.mjs {"url", "ready", "views"?}` prints {requests, refused, rendered, views}
// as JSON, where each request is {url, outcome}: "answered", or the network error that ended it.
// A request the page's Content-Security-Policy blocked ("csp": net::ERR_BLOCKED_BY_CSP) never
// left. `ready` is a selector that appears once the UI has drawn the document.
// `views` (optional): [{scheme, width, height, path?}], the page again in each colour scheme
// and width, with its first operation opened: the colours it drew (and a screenshot to `path`).
// Their requests are recorded too.
import { chromium } from "playwright-core";

const options = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--no-sandbox", // CI runs as root, where chromium's sandbox refuses to start
    "--disable-gpu",
    // Nothing may leave while the test looks: other hosts fail to resolve (and are listed).
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
  ],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
const page = await context.newPage();
const requests = [];
const refused = [];
page.on("requestfinished", (request) => requests.push({ url: request.url(), outcome: "answered" }));
page.on("requestfailed", (request) =>
  requests.push({ url: request.url(), outcome: request.failure()?.errorText || "failed" }),
);
page.on("console", (message) => {
  if (message.type() === "error" && message.text().includes("Content Security Policy")) refused.push(message.text());
});
await page.goto(options.url, { waitUntil: "load" });
const rendered = await page
  .waitForSelector(options.ready, { timeout: 20000 })
  .then(() => true)
  .catch(() => false);
await page.waitForTimeout(1000); // late requests: images, workers

// Polls `predicate` in the page (waitForFunction would evaluate a string: the CSP forbids it).
async function until(tab, predicate, timeout = 5000) {
  const deadline = Date.now() + timeout;
  while (!(await tab.evaluate(predicate)) && Date.now() < deadline) await tab.waitForTimeout(50);
}

// The same page for every view: the scheme and width change under it, as a reader's would
// (the page follows a change of scheme without a reload).
async function views(wanted) {
  if (!wanted.length) return [];
  const tab = page;
  // One operation opened: its parameters and responses are drawn in the scheme too.
  await tab.click(".opblock-summary-control");
  await tab.waitForSelector(".opblock-body .responses-wrapper", { timeout: 10000 });
  await tab.evaluate(() => document.activeElement.blur()); // no focus ring in the pictures
  const seen = [];
  for (const { scheme, width, height, path } of wanted) {
    await tab.emulateMedia({ colorScheme: scheme });
    await tab.setViewportSize({ width, height });
    // The media query's change event comes with the next frame: wait for the page to follow
    // (a page that does not is read as it is, and the test says so); then for the buttons'
    // fades to end, so that the picture shows their final colours.
    await until(tab, () =>
      document.documentElement.classList.contains("dark-mode") ===
      matchMedia("(prefers-color-scheme: dark)").matches,
    );
    // Reading a layout value first brings the styles up to date: the fades have started.
    await until(tab, () => document.body.offsetHeight > 0 && document.getAnimations().length === 0);
    const colours = await tab.evaluate(() => {
      const style = (selector) => getComputedStyle(document.querySelector(selector));
      return {
        darkClass: document.documentElement.classList.contains("dark-mode"),
        page: style("html").backgroundColor,
        text: style(".swagger-ui .info .title").color,
        operation: style(".opblock-summary-description").color,
        scrollWidth: document.documentElement.scrollWidth,
      };
    });
    if (path) await tab.screenshot({ path });
    seen.push({ scheme, width, ...colours });
  }
  return seen;
}

const shown = await views(options.views || []);
process.stdout.write(JSON.stringify({ requests, refused, rendered, views: shown }) + "\n");
await browser.close();
