"""Failure callbacks and alert delivery: every alert is logged; it is also e-mailed when
``GONGKAI_ALERT_EMAIL`` is set (SMTP server from ``GONGKAI_SMTP_HOST``/``GONGKAI_SMTP_PORT``,
default localhost:25; sender ``GONGKAI_ALERT_FROM``)."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Any

from gongkai.config import Settings

log = logging.getLogger("gongkai.alerts")


def alert(subject: str, body: str, *, env: dict[str, str] | None = None) -> bool:
    """Log an alert and e-mail it if configured. Returns whether an e-mail was sent.

    A broken mail server never fails the caller: the alert is still in the log."""
    mail = Settings.from_env(environ=env)  # env: tests pass their own variables
    log.error("ALERT %s\n%s", subject, body)
    recipients = list(mail.alert_email)
    if not recipients:
        return False
    msg = EmailMessage()
    msg["Subject"] = f"[gongkai] {subject}"
    msg["From"] = mail.alert_from
    msg["To"] = ", ".join(recipients)
    msg.set_content(body)
    try:
        with smtplib.SMTP(mail.smtp_host, mail.smtp_port, timeout=10) as smtp:
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        log.error("could not e-mail alert %r: %s", subject, exc)
        return False
    return True


def describe_failure(context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a task-failure alert from an Airflow callback context."""
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    map_index = getattr(ti, "map_index", -1)
    run_id = getattr(ti, "run_id", None) or context.get("run_id", "?")
    try_number = getattr(ti, "try_number", "?")
    exc = context.get("exception")
    where = f"{task_id}[{map_index}]" if map_index not in (None, -1) else task_id
    subject = f"{dag_id}.{where} failed ({run_id})"
    body = (
        f"dag: {dag_id}\ntask: {where}\nrun: {run_id}\ntry: {try_number}\n"
        f"error: {type(exc).__name__ + ': ' + str(exc) if exc else 'unknown'}\n"
    )
    return subject, body


def describe_drift(column: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of a portal-drift alert for one column (``silence.ColumnHealth`` as a dict)."""
    where = f"{column['portal']}/{column['column']}"
    if column["status"] == "drift":
        what = "its page no longer parses as its list mechanism (mechanism or page structure changed)"
    else:
        what = "it lists nothing although it listed items before"
    subject = f"portal drift: {where} — {what.split(' (')[0]}"
    body = (
        f"column: {where}\nstatus: {column['status']}\nlisted now: {column['listed']}\n"
        f"last listed items: {column.get('last_listed') or 'never'}\n"
        f"error: {column.get('error') or '-'}\n"
        f"what to do: open the column page in a browser, run `gongkai portal probe URL` on it and "
        f"update its entry in scrapers/portals.yaml (mechanism, ids)\n"
    )
    return subject, body


def on_task_failure(context: dict[str, Any]) -> None:
    """Airflow ``on_failure_callback`` for tasks (after the last retry)."""
    subject, body = describe_failure(context)
    alert(subject, body)


def on_task_retry(context: dict[str, Any]) -> None:
    """Airflow ``on_retry_callback``: log only (retries are expected with flaky portals)."""
    subject, body = describe_failure(context)
    log.warning("retrying %s\n%s", subject, body)
