"""The identity platform: who is calling, checked from an OAuth 2.0 access token.

Routes declare what they need with `PrincipalDep` or
`Annotated[Principal, require_scopes(...)]` (petsage.http.access, which reads the app's
state); the app factory builds one `Identity` (petsage.auth.runtime) from `AuthSettings` and
runs it in its lifespan.
"""
