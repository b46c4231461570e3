"""Session state and the job queue in Redis: what must survive any one process."""

from pipelines.state.jobs import JobQueue
from pipelines.state.sessions import SessionRecord, SessionStore

__all__ = ["JobQueue", "SessionRecord", "SessionStore"]
