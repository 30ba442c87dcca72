"""Background jobs of the notification centre: thin wrappers, ids in, one service call, a count out."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from jiedao.core import clock
from jiedao.notifications import services
from jiedao.notifications.warnings import run_warnings


@db_task()  # type: ignore[untyped-decorator]
def send_outbound(notification_ids: list[int]) -> int:
    """Send the waiting outbound deliveries of these notifications; return how many were sent."""
    return services.deliveries_send(notification_ids=notification_ids)


@db_task()  # type: ignore[untyped-decorator]
def send_resident_messages(message_ids: list[int]) -> int:
    """Send these waiting messages to residents; return how many were sent."""
    return services.resident_messages_send(message_ids=message_ids)


@db_periodic_task(crontab(minute="5-59/10"))  # type: ignore[untyped-decorator]
def retry_resident_messages() -> int:
    """Send once more the failed and the forgotten messages to residents (every 10 minutes); return how many."""
    return services.resident_messages_retry(now=clock.now())


@db_task()  # type: ignore[untyped-decorator]
def tell_case_event(case_event_id: int) -> int:
    """Tell the right people about one case event (for callers that prefer it after commit); return how many."""
    return len(services.notify_case_event(case_event_id))


@db_periodic_task(crontab(minute="*/10"))  # type: ignore[untyped-decorator]
def issue_warnings() -> int:
    """Give the due warnings and take the automatic actions (every 10 minutes); return how many were given."""
    return run_warnings(clock.now()).total
