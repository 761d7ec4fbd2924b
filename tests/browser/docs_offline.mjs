// Opens /docs or /redoc in Debian's chromium and records every request the page makes:
// `node docs_offline.mjs {"url", "ready"}` prints {requests, refused, rendered} as JSON, where
// each request is {url, outcome}: "answered", or the network error that ended it. A request
// the page's Content-Security-Policy blocked ("csp": net::ERR_BLOCKED_BY_CSP) never left.
// `ready` is a selector that appears once the UI has drawn the document.
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
process.stdout.write(JSON.stringify({ requests, refused, rendered }) + "\n");
await browser.close();
