"""A real PostgreSQL server for the tests: Debian's package, a throwaway cluster on 127.0.0.1.

`initdb` and `pg_ctl` refuse to run as root, so as root (CI) they run as the `postgres` user
the package creates (`runuser`); otherwise as the current user. The cluster lives in a fresh
folder under /tmp (readable by that user), listens only on 127.0.0.1 (no Unix socket),
accepts only TLS connections (a certificate for 127.0.0.1 from a throwaway trustme CA; clients
use `sslmode=verify-full`) with SCRAM passwords, and is stopped and deleted at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import trustme

ADMIN = "ixpready_admin"
DATABASE = "ixpready"


@dataclass(frozen=True)
class Postgres:
    """A running server: where it listens and the admin's password."""

    port: int
    password: str
    folder: Path
    ca_file: Path

    def url(
        self,
        user: str = ADMIN,
        password: str | None = None,
        database: str = DATABASE,
        tls: str = "verify-full",
    ) -> str:
        secret = self.password if password is None else password
        return (f"postgresql://{user}:{secret}@127.0.0.1:{self.port}/{database}"
                f"?sslmode={tls}&sslrootcert={self.ca_file}")  # fmt: skip

    def admin(self, sql: str, database: str = DATABASE) -> None:
        """Runs SQL as the admin (autocommit)."""
        with psycopg.connect(self.url(database=database), autocommit=True) as connection:
            connection.execute(sql.encode())


def _binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise AssertionError(f"PostgreSQL's {name} not found: apt-get install postgresql")
    return found[-1]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_postgres() -> Iterator[Postgres]:
    """Runs a server for the duration of a fixture."""
    as_root = os.geteuid() == 0
    runner = ["runuser", "-u", "postgres", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="ixpready-pg-"))
    if as_root:
        owner = pwd.getpwnam("postgres")
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    password = "admin-" + os.urandom(8).hex()
    password_file = folder / "pw"
    password_file.write_text(password + "\n")
    if as_root:
        os.chown(password_file, owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    port = _free_port()
    ca = trustme.CA()
    ca_file = folder / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    issued = ca.issue_cert("127.0.0.1")
    certificate, key = folder / "server.crt", folder / "server.key"
    issued.cert_chain_pems[0].write_to_path(str(certificate))
    issued.private_key_pem.write_to_path(str(key))
    key.chmod(0o600)
    if as_root:
        for path in (certificate, key):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    subprocess.run(
        [*runner, _binary("initdb"), "-D", str(data), "-U", ADMIN, "--auth=scram-sha-256",
         f"--pwfile={password_file}", "-E", "UTF8", "--no-sync"],
        check=True, capture_output=True,
    )  # fmt: skip
    (data / "pg_hba.conf").write_text(  # TLS and a password, or nothing
        "hostssl all all 127.0.0.1/32 scram-sha-256\n"
    )
    options = (
        f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories='' -c fsync=off "
        f"-c ssl=on -c ssl_cert_file={certificate} -c ssl_key_file={key}"
    )
    subprocess.run(
        [*runner, _binary("pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-w",
         "-t", "60", "-o", options, "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = Postgres(port, password, folder, ca_file)
    try:
        server.admin(f"CREATE DATABASE {DATABASE}", database="postgres")
        yield server
    finally:
        subprocess.run(
            [*runner, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
