// Cross-origin calls from a real browser, from a page served on another origin than PetSage's.
//   node cors.mjs '{"page": URL, "api": URL, "token": TOKEN}'
//     (tests/auth/test_provider_server.py) calls `api` with `Authorization: Bearer`, which needs
//     a CORS preflight, and prints one JSON line:
//     {"ok": true, "status": 200, "body": {...}} or {"ok": false, "error": "..."}.
//   node cors.mjs '{"pages": [URL...], "reads": [URL...], "revalidate": URL, "stream": URL}'
//     (tests/test_status_page_browser.py) from each of `pages` (one browser, one line each),
//     reads each of `reads` as a dashboard would, asks
//     `revalidate` again with `If-None-Match` (a preflight), and opens `stream` as an
//     EventSource; prints {"reads": [...], "revalidated": {...}, "stream": {...}}, where a read
//     is {url, ok, status, etag, type, bytes} or {url, ok: false, error}, and the stream is
//     {opened: true, event, bytes} (its first event) or {opened: false, readyState}.
import { chromium } from "playwright-core";

const options = JSON.parse(process.argv[2]);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"],
});

// In the page: each runs on the other origin, as the dashboard's own script.
async function callWithToken({ api, token }) {
  try {
    const response = await fetch(api, { headers: { Authorization: `Bearer ${token}` } });
    return { ok: true, status: response.status, body: await response.json() };
  } catch (error) {
    return { ok: false, error: String(error) };
  }
}

async function readStatusOutputs({ reads, revalidate, stream }) {
  const read = async (url, headers = {}) => {
    try {
      const response = await fetch(url, { headers });
      const text = await response.text();
      return {
        url, ok: true, status: response.status, etag: response.headers.get("etag"),
        type: response.headers.get("content-type"), bytes: text.length,
      };
    } catch (error) {
      return { url, ok: false, error: String(error) };
    }
  };
  const results = [];
  for (const url of reads) results.push(await read(url));
  const first = results.find((result) => result.url === revalidate);
  const revalidated = first && first.etag ? await read(revalidate, { "If-None-Match": first.etag }) : null;
  // The first event of the stream, or the error that ends it (a refused CORS check closes it).
  const streamed = await new Promise((resolve) => {
    const source = new EventSource(stream);
    const done = (value) => { source.close(); resolve(value); };
    source.addEventListener("summary", (event) => done({ opened: true, event: event.type, bytes: event.data.length }));
    source.onerror = () => done({ opened: false, readyState: source.readyState });
    setTimeout(() => done({ opened: false, readyState: source.readyState, timedOut: true }), 20000);
  });
  return { reads: results, revalidated, stream: streamed };
}

try {
  for (const url of options.pages || [options.page]) {
    const page = await browser.newPage();
    await page.goto(url, { waitUntil: "load" });
    const result = options.reads
      ? await page.evaluate(readStatusOutputs, options)
      : await page.evaluate(callWithToken, options);
    process.stdout.write(JSON.stringify(result) + "\n");
    await page.close();
  }
} finally {
  await browser.close();
}
