// Cross-origin calls from a real browser (tests/auth/test_provider_server.py):
//   node cors.mjs '{"page": URL, "api": URL, "token": TOKEN}'
// Opens `page` (served from another origin than the API), calls `api` from its script with
// `Authorization: Bearer`, which needs a CORS preflight, and prints one JSON line:
// {"ok": true, "status": 200, "body": {...}} or {"ok": false, "error": "..."}.
import { chromium } from "playwright-core";

const options = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
});
try {
  const page = await browser.newPage();
  await page.goto(options.page, { waitUntil: "load" });
  const result = await page.evaluate(async ({ api, token }) => {
    try {
      const response = await fetch(api, { headers: { Authorization: `Bearer ${token}` } });
      return { ok: true, status: response.status, body: await response.json() };
    } catch (error) {
      return { ok: false, error: String(error) };
    }
  }, options);
  process.stdout.write(JSON.stringify(result) + "\n");
} finally {
  await browser.close();
}
