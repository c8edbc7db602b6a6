"""HTTP plumbing every app shares: the client's address and rate limits (`ratelimit`),
security headers and framing (`security`), and the API's one error format (`api`).

It sits below every app and imports none of them: the apps build on it, `bitcache/`
wires it in.
"""
