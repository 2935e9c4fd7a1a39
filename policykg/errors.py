"""The one place for policykg's error types and messages.

Every error a user can cause is a :class:`InputError` (exit status 2, HTTP 4xx);
anything else that goes wrong is a :class:`PolicyKGError` (exit status 1).
Messages are one line: what was wrong and what to do. Ctrl-C and SIGTERM are an
:class:`Interrupted` (exit status 130 / 143), which ordinary ``except Exception`` does not catch.
"""
from __future__ import annotations

import signal


class PolicyKGError(Exception):
    """An error that policykg reports as one line (exit 1, HTTP 500 is never used for it)."""

    exit_code = 1
    http_status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # one line, always
        return " ".join(self.message.split())


class InputError(PolicyKGError):
    """Bad input: a bad corpus, argument, question or query (exit 2, HTTP 400)."""

    exit_code = 2
    http_status = 400


class NotFound(InputError):
    """A document, clause or store that does not exist (exit 2, HTTP 404)."""

    http_status = 404


class StoreMissing(NotFound):
    """No built store at the given location."""

    def __init__(self, location: str) -> None:
        super().__init__(
            f"no policykg store at {location}: run `policykg build --corpus DIR` first "
            "(or point --store / POLICYKG_STORE at a built store)"
        )


class StoreBusy(InputError):
    """Another process is building the same store (exit 2, HTTP 409)."""

    http_status = 409

    def __init__(self, location: str, holder: str) -> None:
        super().__init__(
            f"another build (pid {holder or 'unknown'}) is writing the store {location}: "
            "wait for it to finish, or rerun with `policykg build --wait`"
        )
        self.holder = holder


class Interrupted(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM: the command stops, cleans up and exits 128 + the signal number.

    A ``BaseException`` like ``KeyboardInterrupt``, so that ``except Exception`` never swallows it
    while ``finally`` blocks (a build's temporary folder, the build lock) still run.
    """

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        self.exit_code = 128 + self.signum
        what = "interrupted" if self.signum == signal.SIGINT else "terminated"
        super().__init__(f"{what} ({signal.Signals(self.signum).name})")


class StoreDamaged(PolicyKGError):
    """A store with a damaged or missing part, or written in another format (exit 2, HTTP 503)."""

    exit_code = 2
    http_status = 503
