"""The coaching-threads port the API calls (pipelines/coach/threads.py's ThreadService fits it)."""

from __future__ import annotations

from typing import Any, Protocol


class CoachThreads(Protocol):
    def create_summary_threads(
        self, session_id: str, report: dict[str, Any], measurement_system: str, language: str
    ) -> dict[str, str]:
        """One thread per summary block (velocity, power, stability, final_summary) -> thread id."""
        ...

    def create_recommendation_threads(
        self, session_id: str, report: dict[str, Any], measurement_system: str, language: str
    ) -> dict[str, str]:
        """One thread per lift-analysis metric (power_output, ..., vertical_shoulder_height) -> thread id."""
        ...

    def get_thread(self, thread_id: str) -> dict[str, Any] | None:
        """The thread as JSON (must carry "session_id" so the API can check access), or None."""
        ...

    def summary_texts(self, session_id: str) -> dict[str, str]:
        """Finished summary texts by block; empty until generated."""
        ...

    def recommendation_texts(self, session_id: str) -> dict[str, str]:
        """Finished coaching comments by lift-analysis metric; empty until generated."""
        ...
