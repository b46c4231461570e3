"""The analysis error tree. API code maps these to HTTP statuses in one table."""

from __future__ import annotations


class LiftlabError(Exception):
    """Base of every error liftlab raises on purpose."""


class BadVideoError(LiftlabError):
    """The input is not a usable video (no video stream, unreadable, truncated, empty)."""


class VideoTooLargeError(LiftlabError):
    """The input exceeds the configured size or duration limit."""


class NotFoundError(LiftlabError):
    """A session, user, object or thread does not exist (or is not visible to the caller)."""


class ConfigError(LiftlabError):
    """Settings or a model manifest are wrong; raised at start, never silently patched."""


class AnalysisError(LiftlabError):
    """A pipeline stage failed on valid input; the message says which stage and why."""
