"""Start a throwaway Virtuoso (Debian's virtuoso-opensource) for the store tests.

Its own virtuoso.ini and database live in a temporary folder (DirsAllowed is that folder; the
system database is never touched); it listens on free ports of 127.0.0.1 only; SPARQL updates
are granted to the anonymous SPARQL user so a build can load it; it is stopped at session end.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

INI = """\
[Database]
DatabaseFile       = {dir}/virtuoso.db
ErrorLogFile       = {dir}/virtuoso.log
LockFile           = {dir}/virtuoso.lck
TransactionFile    = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {dir}/virtuoso-temp.db
TransactionFile    = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql}
LiteMode                 = 0
DisableUnixSocket        = 1
DisableTcpSocket         = 0
MaxClientConnections     = 10
CheckpointInterval       = 60
CaseMode                 = 2
DirsAllowed              = ., {dir}
NumberOfBuffers          = 10000
MaxDirtyBuffers          = 6000
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
VADInstallDir            = /usr/share/virtuoso-opensource-7/vad/

[HTTPServer]
ServerPort                  = 127.0.0.1:{http}
ServerRoot                  = {dir}/vsp
MaxClientConnections        = 10
ServerThreads               = 10
EnabledDavVSP               = 0
HTTPProxyEnabled            = 0
Charset                     = UTF-8
MaxKeepAlives               = 10
KeepAliveTimeout            = 10

[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = 60
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Virtuoso:
    """One Virtuoso server process in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.sql_port = free_port()
        self.http_port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def store(self) -> str:
        """The policykg --store value for this server."""
        return f"sparql+{self.endpoint}"

    def start(self, timeout: float = 120.0) -> "Virtuoso":
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "vsp").mkdir(exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(dir=self.folder, sql=self.sql_port, http=self.http_port), encoding="utf-8")
        self.process = subprocess.Popen(
            [shutil.which("virtuoso-t") or "virtuoso-t", "+configfile", str(ini), "+foreground"],
            cwd=self.folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"virtuoso-t exited ({self.process.returncode}); see {self.folder}/virtuoso.log")
            try:
                r = httpx.get(self.endpoint, params={"query": "ASK {}"}, timeout=2)
                if r.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"Virtuoso did not answer on {self.endpoint} within {timeout:.0f} s")
            time.sleep(0.5)
        self.isql('GRANT SPARQL_UPDATE TO "SPARQL";')  # never SPARQL_LOAD_SERVICE_DATA
        return self

    def isql(self, statement: str) -> str:
        isql = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
        done = subprocess.run([isql, f"127.0.0.1:{self.sql_port}", "dba", "dba", f"exec={statement}"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"isql failed: {done.stdout} {done.stderr}")
        return done.stdout

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def available() -> bool:
    return bool(shutil.which("virtuoso-t")) and bool(shutil.which("isql-vt") or shutil.which("isql"))
