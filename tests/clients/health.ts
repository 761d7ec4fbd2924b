// The health answers read through types generated from a live /openapi.json: compiled with tsc
// --strict against ./schema.d.ts (written by openapi-typescript), then run by node on a real
// server. One JSON line per answer on stdout: tests/test_clients.py reads them.
import type { components, paths } from "./schema.js";

type Schemas = components["schemas"];
type Ready = paths["/system/health/ready"]["get"]["responses"];
type Checks = paths["/system/health/checks"]["get"]["responses"];
type Check = paths["/system/health/checks/{name}"]["get"]["responses"];
type Report = Ready[200 | 503]["content"]["application/json"] | Checks[200 | 503]["content"]["application/json"];
type Draft =
  | Ready[200 | 503]["content"]["application/health+json"]
  | Checks[200 | 503]["content"]["application/health+json"]
  | Check[200 | 503]["content"]["application/health+json"];

// Records over the generated unions: tsc fails when the document adds or drops a state.
const REPORT_STATES: Record<Schemas["HealthReport"]["status"], true> = {
  ok: true, degraded: true, error: true, starting: true, draining: true,
};
const CHECK_STATES: Record<Schemas["CheckReport"]["status"], true> = {
  ok: true, degraded: true, error: true,
};
const DRAFT_STATES: Record<Schemas["DraftHealthReport"]["status"], true> = {
  pass: true, warn: true, fail: true,
};

declare const process: { argv: string[]; exitCode: number };
const [base, token, check] = process.argv.slice(2);
const HEALTH_JSON = "application/health+json";

interface Answer { path: string; media: string; status: number; state: string; names: string[] }

async function read(path: string, accept: string): Promise<Answer> {
  const response = await fetch(base + path, {
    headers: { accept, authorization: `Bearer ${token}` },
  });
  const media = response.headers.get("content-type") ?? "";
  if (response.status !== 200 && response.status !== 503) throw new Error(`${path}: ${response.status}`);
  if (media.startsWith(HEALTH_JSON)) {
    const draft: Draft = await response.json();
    if (!(draft.status in DRAFT_STATES)) throw new Error(`${path}: ${draft.status}`);
    return { path, media, status: response.status, state: draft.status, names: Object.values(draft.checks).flat().map((each) => each.componentId) };
  }
  if (path.endsWith(`/${check}`)) {
    const one: Schemas["CheckReport"] = await response.json();
    if (!(one.status in CHECK_STATES)) throw new Error(`${path}: ${one.status}`);
    return { path, media, status: response.status, state: one.status, names: [one.name] };
  }
  const report: Report = await response.json();
  if (!(report.status in REPORT_STATES)) throw new Error(`${path}: ${report.status}`);
  return { path, media, status: response.status, state: report.status, names: report.checks.map((c) => c.name) };
}

const PATHS: (keyof paths)[] = ["/system/health/ready", "/system/health/checks"];
for (const path of [...PATHS, `/system/health/checks/${check}`]) {
  for (const accept of ["application/json", HEALTH_JSON]) {
    console.log(JSON.stringify(await read(path, accept)));
  }
}
