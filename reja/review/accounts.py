"""Clerks' accounts for a review page shared on the network (`reja review serve --host …`).

Accounts live in the store (table `review_users`); passwords are kept only as scrypt hashes
(hashlib.scrypt, a standard memory-hard KDF) with a random salt each. A signed session cookie says
who is logged in; the key that signs it is made anew at each start of the server.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from pathlib import Path

from reja import db as dbapi

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}  # ~16 MiB, ~50 ms: slow for guessing, fine for a login
SESSION_SECONDS = 12 * 3600  # a working day
NAME_RE = re.compile(r"^[\w.\- ]{1,40}$")
MIN_PASSWORD = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS review_users (
    name {text} PRIMARY KEY,
    salt {blob} NOT NULL,
    hash {blob} NOT NULL,
    n {int} NOT NULL, r {int} NOT NULL, p {int} NOT NULL,
    created_at {text} NOT NULL
)"""
COLUMNS = ("name", "salt", "hash", "n", "r", "p", "created_at")


def _connect(db: Path | str) -> dbapi.Connection:
    con = dbapi.connect(db, timeout=30)
    if not con.postgres or "review_users" not in con.tables():
        con.execute(con.ddl(SCHEMA))
    return con


def _hash(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT["dklen"],
                          maxmem=256 * 1024 * 1024)


def add_user(db: Path | str, name: str, password: str) -> None:
    """Add a clerk, or set a new password for one (ValueError for a bad name or a short password)."""
    name = name.strip()
    if not NAME_RE.match(name):
        raise ValueError(f"{name!r}: a clerk's name is 1–40 letters, digits, spaces, dots or dashes")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    salt = secrets.token_bytes(16)
    digest = _hash(password, salt, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"])
    con = _connect(db)
    try:
        con.execute(con.upsert("review_users", COLUMNS, ("name",)),
                    (name, salt, digest, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"],
                     time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))
    finally:
        con.close()


def users(db: Path | str) -> list[str]:
    con = _connect(db)
    try:
        return [r[0] for r in con.execute("SELECT name FROM review_users ORDER BY name")]
    finally:
        con.close()


def check_password(db: Path | str, name: str, password: str) -> bool:
    con = _connect(db)
    try:
        row = con.execute("SELECT salt, hash, n, r, p FROM review_users WHERE name = ?", (name.strip(),)).fetchone()
    finally:
        con.close()
    if row is None:
        _hash(password, b"0" * 16, SCRYPT["n"], SCRYPT["r"], SCRYPT["p"])  # same time for an unknown name
        return False
    salt, digest, n, r, p = (bytes(row[0]), bytes(row[1]), *row[2:])
    return hmac.compare_digest(_hash(password, salt, n, r, p), digest)


class Sessions:
    """Signed session cookies: `name|expiry|signature`, signed with a key made at server start."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode("utf-8"), hashlib.sha256).hexdigest()

    def issue(self, name: str) -> str:
        payload = f"{name}|{int(time.time()) + SESSION_SECONDS}"
        return f"{payload}|{self._sign(payload)}"

    def who(self, cookie: str | None) -> str | None:
        if not cookie or cookie.count("|") < 2:
            return None
        payload, _, signature = cookie.rpartition("|")
        if not hmac.compare_digest(self._sign(payload), signature):
            return None
        name, _, expiry = payload.rpartition("|")
        try:
            if int(expiry) < time.time():
                return None
        except ValueError:
            return None
        return name
