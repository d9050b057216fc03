"""Errors a user can fix. The CLI prints them as one line and exits non-zero (no traceback); the
DAG tasks let them fail the task without retries (retrying a wrong argument cannot help)."""

from __future__ import annotations


class UserError(Exception):
    """A wrong argument, a missing file, a selection that matches nothing: exit code 2."""

    exit_code = 2


class HomeBusy(UserError):
    """Another gongkai process is writing the same data home: exit code 3."""

    exit_code = 3
