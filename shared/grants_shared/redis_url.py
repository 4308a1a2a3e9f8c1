"""The Redis URL a process connects with: REDIS_URL plus its own user, password and TLS files when given apart."""

from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

TLS_SCHEME = "rediss"


def with_credentials(url: str, username: str | None = None, password: str | None = None) -> str:
    """`url` with `username` and `password` in place of any it carries (each kept when not given)."""
    if username is None and password is None:
        return url
    parts = urlsplit(url)
    user = username if username is not None else unquote(parts.username or "")
    secret = password if password is not None else unquote(parts.password or "")
    auth = quote(user, safe="") + (f":{quote(secret, safe='')}" if secret else "")
    host = parts.hostname or ""
    netloc = (f"{auth}@" if auth else "") + (f"[{host}]" if ":" in host else host)
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def with_tls_files(
    url: str, ca_certs: Path | None = None, certfile: Path | None = None, keyfile: Path | None = None
) -> str:
    """`url` with the TLS files redis-py reads from the query (`ssl_ca_certs`...); only for `rediss://` URLs."""
    files = {"ssl_ca_certs": ca_certs, "ssl_certfile": certfile, "ssl_keyfile": keyfile}
    given = {name: str(path) for name, path in files.items() if path is not None}
    if not given:
        return url
    parts = urlsplit(url)
    if parts.scheme != TLS_SCHEME:
        raise ValueError(f"TLS files are set (GRANTS_REDIS_CA_CERTS...) but REDIS_URL is not {TLS_SCHEME}://")
    query = dict(parse_qsl(parts.query))
    query.update({"ssl_cert_reqs": "required", **given})
    return urlunsplit(parts._replace(query=urlencode(query)))


def has_password(url: str) -> bool:
    """True when the URL carries a password."""
    return bool(urlsplit(url).password)
