"""A throwaway PostgreSQL cluster in a temporary folder, for the tests and tools/measure_cluster.py.

Debian's `postgresql` package (installed by `make setup`) brings initdb and pg_ctl under
/usr/lib/postgresql/<version>/bin. initdb refuses to run as root: as root the cluster is made and
run by the `postgres` user the package created. It listens on 127.0.0.1 at a free port, trusts local
connections (a test cluster with no other user) and is stopped and deleted by `stop()`.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path


class NoPostgres(RuntimeError):
    """initdb / pg_ctl are not installed (run `make setup`)."""


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise NoPostgres("PostgreSQL is not installed: `make setup` installs Debian's postgresql")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TempCluster:
    """initdb + pg_ctl start in a temp folder; `url(db)` for a database in it; `stop()` drops it all."""

    def __init__(self, *, fast: bool = True):
        self.bin = _bin_dir()
        self.root = Path(tempfile.mkdtemp(prefix="reja-pg-"))
        self.port = _free_port()
        self.user = None
        if os.geteuid() == 0:  # initdb refuses root: the cluster belongs to the package's postgres user
            self.user = pwd.getpwnam("postgres")
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        data = self.root / "data"
        self._run("initdb", "-D", str(data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--no-locale", "--no-sync")
        settings = [f"-p {self.port}", "-c listen_addresses=127.0.0.1", f"-k {self.root}", "-c max_connections=60"]
        if fast:  # tests: a crash of the machine may lose the cluster, which is thrown away anyway
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        self.data = data
        self._run("pg_ctl", "-D", str(data), "-l", str(self.root / "server.log"), "-w", "-t", "60",
                  "-o", " ".join(settings), "start")

    def _run(self, tool: str, *args: str) -> None:
        def as_postgres():
            os.setgid(self.user.pw_gid)
            os.setuid(self.user.pw_uid)

        proc = subprocess.run([str(self.bin / tool), *args], capture_output=True, text=True, cwd=self.root,
                              preexec_fn=as_postgres if self.user else None, timeout=120)
        if proc.returncode != 0:
            log = self.root / "server.log"
            raise RuntimeError(f"{tool} failed ({proc.returncode}): {proc.stderr.strip()}"
                               + (f"\n{log.read_text()[-2000:]}" if log.exists() else ""))

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "reja") -> str:
        """A new empty database; returns its URL."""
        import psycopg

        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
