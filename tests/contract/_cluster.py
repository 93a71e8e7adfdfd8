"""Start and stop a throwaway PostgreSQL cluster (sync, stdlib only).

This is the Python twin of ``.ci/postgres.sh``: it finds ``initdb``/``pg_ctl``
(on ``PATH``, else in the newest Debian ``/usr/lib/postgresql/*/bin``), runs
``initdb`` in a fresh temp dir (as the ``postgres`` user when we are root,
because PostgreSQL refuses to run as root), and starts the server on a free
TCP port of 127.0.0.1 with its unix socket inside the temp dir.  The superuser
is always ``postgres`` and authentication is ``trust``.

Usage::

    cluster = Cluster.start(name="gw0")   # raises PostgresNotFoundError
    try:
        dsn = cluster.dsn                 # postgresql://postgres@127.0.0.1:PORT/postgres
    finally:
        cluster.stop()                    # idempotent; removes the temp dir

Unlike the shell script this never installs anything.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "DSN_ENV",
    "Cluster",
    "ClusterStartError",
    "PostgresBinaries",
    "PostgresNotFoundError",
    "find_binaries",
]

#: Environment variable holding the DSN of an already running server.
DSN_ENV = "ASYNCFAKES_PG_DSN"

_DEBIAN_GLOB = "/usr/lib/postgresql/*/bin"
_PORT_ATTEMPTS = 5
_START_TIMEOUT = 60
_STOP_TIMEOUT = 30


class PostgresNotFoundError(RuntimeError):
    """Neither ``PATH`` nor ``/usr/lib/postgresql/*/bin`` has initdb and pg_ctl."""


class ClusterStartError(RuntimeError):
    """initdb or pg_ctl failed; the message carries their output / the server log."""


@dataclass(frozen=True)
class PostgresBinaries:
    """Paths of the two server programs we need."""

    initdb: str
    pg_ctl: str


def _version_key(bindir: str) -> tuple[int, ...]:
    """Sort key for ``/usr/lib/postgresql/<version>/bin`` (numeric, e.g. 9.6 < 15)."""
    version = Path(bindir).parent.name
    return tuple(int(part) for part in re.findall(r"\d+", version))


def find_binaries() -> PostgresBinaries:
    """Locate initdb and pg_ctl, preferring ``PATH``, then the newest Debian dir."""
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb is not None and pg_ctl is not None:
        return PostgresBinaries(initdb, pg_ctl)
    for bindir in sorted(glob.glob(_DEBIAN_GLOB), key=_version_key, reverse=True):
        initdb, pg_ctl = os.path.join(bindir, "initdb"), os.path.join(bindir, "pg_ctl")
        if os.access(initdb, os.X_OK) and os.access(pg_ctl, os.X_OK):
            return PostgresBinaries(initdb, pg_ctl)
    msg = "cannot find initdb/pg_ctl on PATH or in " + _DEBIAN_GLOB
    raise PostgresNotFoundError(msg)


def _free_port() -> int:
    """Return a TCP port of 127.0.0.1 that nobody is bound to right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class _Owner:
    """The account the server runs as; ``None`` ids mean "the current user"."""

    uid: int | None
    gid: int | None

    @classmethod
    def pick(cls) -> _Owner:
        if os.geteuid() != 0:
            return cls(None, None)
        import pwd  # POSIX only, and only needed as root

        for name in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            return cls(entry.pw_uid, entry.pw_gid)
        msg = "running as root, but there is no 'postgres' (or 'nobody') user to run the server"
        raise ClusterStartError(msg)


@dataclass(eq=False)
class Cluster:
    """A running throwaway cluster; create it with :meth:`Cluster.start`."""

    binaries: PostgresBinaries
    root: Path
    port: int = 0
    _owner: _Owner = field(default_factory=lambda: _Owner(None, None))
    _stopped: bool = False

    @property
    def data_dir(self) -> Path:
        """The cluster's PGDATA."""
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        """Directory of the server's unix socket."""
        return self.root / "sock"

    @property
    def log_file(self) -> Path:
        """The server log (pg_ctl -l)."""
        return self.root / "server.log"

    @property
    def dsn(self) -> str:
        """TCP DSN of the ``postgres`` database as the ``postgres`` superuser."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @classmethod
    def start(cls, name: str = "", binaries: PostgresBinaries | None = None) -> Cluster:
        """Initialise and start a new cluster in a fresh temp dir.

        ``name`` only decorates the temp dir's name (e.g. the xdist worker id).
        Raises :class:`PostgresNotFoundError` when no binaries can be found and
        :class:`ClusterStartError` when initdb or the server fails.  An
        :mod:`atexit` hook stops the cluster should the caller forget to.
        """
        if binaries is None:
            binaries = find_binaries()
        owner = _Owner.pick()
        # As root, stay in /tmp: a root-only TMPDIR would not be traversable
        # by the server's user.  Short paths also keep the socket path short.
        base = "/tmp" if owner.uid is not None and os.path.isdir("/tmp") else None
        prefix = f"asyncfakes-pg-{name}-" if name else "asyncfakes-pg-"
        root = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
        cluster = cls(binaries, root, _owner=owner)
        atexit.register(cluster.stop)
        try:
            if owner.uid is not None and owner.gid is not None:
                os.chown(root, owner.uid, owner.gid)
            cluster._initdb()
            cluster._start_server()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        """Run a command as the cluster's owner, capturing its output."""
        return subprocess.run(
            [str(arg) for arg in args],
            cwd=self.root,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
            user=self._owner.uid,
            group=self._owner.gid,
            extra_groups=None if self._owner.uid is None else [],
        )

    def _initdb(self) -> None:
        result = self._run(
            self.binaries.initdb,
            "-D",
            self.data_dir,
            "-U",
            "postgres",
            "--auth-local=trust",
            "--auth-host=trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
        )
        if result.returncode != 0:
            msg = f"initdb failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            raise ClusterStartError(msg)
        mkdir = self._run("mkdir", self.socket_dir)
        if mkdir.returncode != 0:
            msg = f"cannot create {self.socket_dir}: {mkdir.stderr}"
            raise ClusterStartError(msg)
        # Appending keeps the file's owner; later settings win over earlier ones.
        with (self.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write(
                "\n# --- asyncfakes throwaway cluster ---\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.socket_dir}'\n"
                "fsync = off\n"
                "synchronous_commit = off\n"
                "full_page_writes = off\n"
            )

    def _read_log(self) -> str:
        try:
            return self.log_file.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def _start_server(self) -> None:
        for _ in range(_PORT_ATTEMPTS):
            port = _free_port()
            result = self._run(
                self.binaries.pg_ctl,
                "-D",
                self.data_dir,
                "-l",
                self.log_file,
                "-w",
                "-t",
                str(_START_TIMEOUT),
                "-o",
                f"-p {port}",
                "start",
            )
            if result.returncode == 0:
                self.port = port
                return
            log = self._read_log()
            if re.search(r"could not bind|address already in use", log, re.IGNORECASE) is None:
                msg = f"pg_ctl start failed ({result.returncode}): {result.stderr}\n{log}"
                raise ClusterStartError(msg)
            # Lost a race for the port (another xdist worker?): try another one.
            self._run(self.binaries.pg_ctl, "-D", self.data_dir, "-m", "immediate", "stop")
        msg = f"no free port after {_PORT_ATTEMPTS} attempts:\n{self._read_log()}"
        raise ClusterStartError(msg)

    def stop(self) -> None:
        """Stop the server (fast mode) and remove the temp dir.  Idempotent."""
        if self._stopped:
            return
        self._stopped = True
        atexit.unregister(self.stop)
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists():
            result = self._run(
                self.binaries.pg_ctl,
                "-D",
                self.data_dir,
                "-m",
                "fast",
                "-w",
                "-t",
                str(_STOP_TIMEOUT),
                "stop",
            )
            if result.returncode != 0:
                self._kill_postmaster(pid_file)
        shutil.rmtree(self.root, ignore_errors=True)

    @staticmethod
    def _kill_postmaster(pid_file: Path) -> None:
        """Last resort: the first line of postmaster.pid is the postmaster's pid."""
        try:
            pid = int(pid_file.read_text(encoding="utf-8").splitlines()[0])
        except (OSError, ValueError, IndexError):
            return
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGQUIT)
            time.sleep(1)
            os.kill(pid, signal.SIGKILL)
