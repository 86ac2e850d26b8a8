"""Durable jobs and schedules: work done now or at a given time, outside the request,
retried, never lost (``docs/architecture.md``, "Jobs").

``tx.enqueue(kind, payload)`` adds a job in the caller's transaction
(``portico.kit.transaction``); a service's ``JobRunner`` runs it through its handler table
(``JobTable``) at least once.
"""

from portico.kit.jobs.context import Job, JobContext, JobHandler, JobInterrupted, JobTable
from portico.kit.jobs.queue import ParkedJob, job_values, parked_jobs, retry_parked
from portico.kit.jobs.runner import JobRunner, JobStats
from portico.kit.jobs.schedules import Schedule, slot_key, slot_start
from portico.kit.jobs.settings import JobSettings

__all__ = [
    "Job",
    "JobContext",
    "JobHandler",
    "JobInterrupted",
    "JobRunner",
    "JobSettings",
    "JobStats",
    "JobTable",
    "ParkedJob",
    "Schedule",
    "job_values",
    "parked_jobs",
    "retry_parked",
    "slot_key",
    "slot_start",
]
