// A relying party built with panva's openid-client (certified), driven against a running
// Doorman by tests/api/oidc_client.rs. It plays the application and the browser both: the
// browser's part is plain fetches carrying the session cookie of a logged-in person.
//
// Environment: ISSUER, EMAIL, SESSION_COOKIE ("name=value"), REDIRECT_URI,
// POST_LOGOUT_REDIRECT_URI, PUBLIC_CLIENT_ID, CONFIDENTIAL_CLIENT_ID,
// CONFIDENTIAL_CLIENT_SECRET.
import * as client from "openid-client";
import assert from "node:assert/strict";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is set`);
  return value;
};
const issuer = new URL(env("ISSUER"));
const cookie = env("SESSION_COOKIE");
const redirectUri = env("REDIRECT_URI");
const email = env("EMAIL");
const insecure = { execute: [client.allowInsecureRequests] };

/// The browser: follows the authorization request with the person's session and returns
/// the URL Doorman sends it back to the application with.
async function browse(url) {
  const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
  assert.equal(response.status, 303, `authorization answered ${response.status}`);
  return new URL(response.headers.get("location"));
}

/// The code flow with PKCE, validated by openid-client: state, nonce, the ID token's
/// signature against the JWKS, iss, aud, exp, at_hash.
async function signIn(config, label) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: "openid email profile offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
  });
  const callback = await browse(url);
  assert.equal(callback.searchParams.get("iss"), issuer.href.replace(/\/$/, ""), `${label}: RFC 9207 iss`);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims();
  assert.equal(claims.email, email, `${label}: the ID token names the account`);
  assert.equal(claims.email_verified, true, `${label}: email_verified`);
  assert.ok(tokens.refresh_token, `${label}: offline_access gives a refresh token`);

  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  assert.equal(info.email, email, `${label}: userinfo`);
  assert.ok(info.locale, `${label}: profile gives the locale`);

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, `${label}: refresh tokens rotate`);
  assert.equal(refreshed.claims().sub, claims.sub, `${label}: the refreshed ID token`);
  await assert.rejects(
    client.refreshTokenGrant(config, tokens.refresh_token),
    (error) => error.error === "invalid_grant",
    `${label}: a used refresh token is refused`,
  );
  return refreshed;
}

const publicClient = await client.discovery(issuer, env("PUBLIC_CLIENT_ID"), undefined, client.None(), insecure);
await signIn(publicClient, "public client");

const basic = await client.discovery(
  issuer,
  env("CONFIDENTIAL_CLIENT_ID"),
  undefined,
  client.ClientSecretBasic(env("CONFIDENTIAL_CLIENT_SECRET")),
  insecure,
);
await signIn(basic, "client_secret_basic");

const post = await client.discovery(
  issuer,
  env("CONFIDENTIAL_CLIENT_ID"),
  undefined,
  client.ClientSecretPost(env("CONFIDENTIAL_CLIENT_SECRET")),
  insecure,
);
const last = await signIn(post, "client_secret_post");

// RP-initiated logout with the ID token as the hint: the session ends at once.
const logout = client.buildEndSessionUrl(post, {
  id_token_hint: last.id_token,
  post_logout_redirect_uri: env("POST_LOGOUT_REDIRECT_URI"),
  state: "see-you",
});
const afterLogout = await fetch(logout, { headers: { cookie }, redirect: "manual" });
assert.equal(afterLogout.status, 303);
assert.equal(afterLogout.headers.get("location"), `${env("POST_LOGOUT_REDIRECT_URI")}?state=see-you`);
const verify = await fetch(new URL("/auth/verify", issuer), { headers: { cookie } });
assert.equal(verify.status, 401, "the Doorman session ended");

console.log("openid-client: every flow passed");
