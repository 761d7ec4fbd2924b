// A real OpenID provider (oidc-provider, OpenID Certified) for PetSage's identity tests.
//
//   node provider.mjs <port> <keys.json>
//
// Client credentials with resource indicators (RFC 8707), giving JWT access tokens (RFC 9068)
// for the resource named in the request. The signing keys are private JWKs read from
// <keys.json> (the tests make them, so that they can also sign hostile tokens with them); the
// first one signs. POST /control/rotate reads the file again: the provider is rebuilt with the
// new keys on the same port, so PetSage sees a rotation without either restarting.
// GET /control/stats says how often the JWKS was fetched. Prints "listening <port>" when ready.
import { readFileSync } from "node:fs";
import http from "node:http";

import Provider from "oidc-provider";

const [port, keysFile] = process.argv.slice(2);
// Known once the port is bound (the tests pass 0): the issuer names it.
let issuer;
const CLIENT = { id: "petsage-tests", secret: "petsage-tests-secret-0123456789" };
// A second client: a second subject (a client-credentials token's sub is its client id), for
// the resources whose rows belong to their owner (tests/auth/test_resource_access.py).
const OTHER_CLIENT = { id: "petsage-tests-other", secret: "petsage-tests-other-secret-01234" };
const SCOPES =
  "pet_profile:read pet_profile:write petsage:details example_pets:read example_pets:write";

function buildProvider() {
  const { keys } = JSON.parse(readFileSync(keysFile, "utf8"));
  const provider = new Provider(issuer, {
    clients: [CLIENT, OTHER_CLIENT].map((client) => ({
      client_id: client.id,
      client_secret: client.secret,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      scope: SCOPES,
    })),
    scopes: SCOPES.split(" "),
    jwks: { keys },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        useGrantedResource: () => true,
        // Any absolute resource: the tests ask for PetSage's audience and for another one.
        getResourceServerInfo: (_ctx, resource) => ({
          scope: SCOPES,
          audience: resource,
          accessTokenTTL: 600,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: keys[0].alg ?? "RS256" } },
        }),
      },
    },
  });
  provider.on("server_error", (_ctx, error) => console.error("provider error:", error));
  return provider;
}

let handler;
let jwksRequests = 0;

const server = http.createServer((request, response) => {
  if (request.url === "/control/stats") {
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ jwks_requests: jwksRequests }));
    return;
  }
  if (request.url === "/control/rotate" && request.method === "POST") {
    handler = buildProvider().callback();
    response.end("rotated");
    return;
  }
  if (request.url.startsWith("/jwks")) jwksRequests += 1;
  handler(request, response);
});
server.listen(Number(port), "127.0.0.1", () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  handler = buildProvider().callback();
  console.log(`listening ${server.address().port}`);
});
