// A real OpenID Connect provider (node-oidc-provider) for Madangan's tests.
//
//   node provider.mjs CONFIG.json
//
// CONFIG.json (written by tests/test_oidc.py):
//   issuer    "http://127.0.0.1:PORT"
//   port      PORT
//   jwks      {keys: [private RSA JWK]}        the provider's signing key
//   clients   [{client_id, client_secret, redirect_uris, post_logout_redirect_uris}]
//   accounts  {login: {claims...}}              the login is the subject; any password is accepted
//   misbehave {client_id: "aud" | "exp" | "sig"} a provider gone wrong, for that client only:
//             the ID token it issues names another audience, is already expired, or is
//             signed with a key not in its JWKS (`foreign_jwk`).
//
// Prints "READY <issuer>" on stdout once listening.
import { readFileSync } from 'node:fs';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const provider = new Provider(config.issuer, {
  clients: config.clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    redirect_uris: c.redirect_uris,
    post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: config.jwks,
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
    madangan: ['madangan_role', 'madangan_region', 'madangan_sectors', 'madangan_posyandu', 'groups', 'realm_access'],
  },
  // Like Keycloak mappers with "Add to ID token": the claims travel in the ID token.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ['madangan-test-cookie-key'] },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { ...account, sub: id }; } };
  },
});

const misbehave = config.misbehave ?? {};
if (Object.keys(misbehave).length) {
  const [signingJwk] = config.jwks.keys;
  provider.use(async (ctx, next) => {
    await next();
    const clientId = ctx.oidc?.client?.clientId;
    const mode = clientId && misbehave[clientId];
    if (!mode || ctx.path !== '/token' || !ctx.body?.id_token) return;
    const claims = jose.decodeJwt(ctx.body.id_token);
    let jwk = signingJwk;
    if (mode === 'aud') claims.aud = 'another-application';
    if (mode === 'exp') { claims.iat -= 7200; claims.exp = claims.iat + 300; }
    if (mode === 'sig') jwk = config.foreign_jwk;
    const key = await jose.importJWK(jwk, 'RS256');
    ctx.body = {
      ...ctx.body,
      id_token: await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: jwk.kid }).sign(key),
    };
  });
}

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`READY ${config.issuer}\n`);
});
