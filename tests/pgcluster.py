"""A private PostgreSQL cluster a test starts, restarts and stops itself (initdb and pg_ctl).

It lives in a fresh temporary directory and listens on a free loopback port
only. PostgreSQL refuses to run as root, so a root test runs the server as the
`postgres` system user (`runuser`).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.processes import free_port

PG_CTL_SECONDS = 60


def _bin_dir() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _run_as() -> tuple[list[str], pwd.struct_passwd | None]:
    """The command prefix that runs the server as a user PostgreSQL accepts, and that user."""
    if os.geteuid() != 0:
        return [], None
    if shutil.which("runuser") is None:
        pytest.skip("running as root without runuser: cannot start PostgreSQL as another user")
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
    return ["runuser", "-u", user.pw_name, "--"], user


class Cluster:
    def __init__(self, bin_dir: Path, root: Path, port: int, prefix: list[str]) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.port = port
        self.prefix = prefix

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.bin_dir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=PG_CTL_SECONDS,
        )

    def start(self) -> None:
        self.pg_ctl("-l", str(self.root / "server.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.pg_ctl("-m", mode, "-w", "stop")

    def restart(self) -> None:
        self.pg_ctl("-l", str(self.root / "server.log"), "-m", "fast", "-w", "restart")


@contextmanager
def private_cluster() -> Iterator[Cluster]:
    """initdb a cluster in a temporary directory, start it, and remove it all afterwards."""
    bin_dir = _bin_dir()
    if bin_dir is None or not (bin_dir / "initdb").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    prefix, user = _run_as()
    root = Path(tempfile.mkdtemp(prefix="opsportal-pg-"))
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
    cluster = Cluster(bin_dir, root, free_port(), prefix)
    try:
        subprocess.run(
            [
                *prefix,
                str(bin_dir / "initdb"),
                *("-D", str(cluster.data), "-U", "postgres", "-A", "trust"),
                *("--no-sync", "--no-instructions"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=PG_CTL_SECONDS * 2,
        )
        settings = (
            f"\nlisten_addresses = '127.0.0.1'\nport = {cluster.port}\n"
            f"unix_socket_directories = '{root}'\nmax_connections = 40\n"
            "shared_buffers = 16MB\n"
        )
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        cluster.start()
        try:
            yield cluster
        finally:
            try:
                cluster.stop("immediate")
            except subprocess.SubprocessError:
                pass  # already stopped
    finally:
        shutil.rmtree(root, ignore_errors=True)
