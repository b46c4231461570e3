"""liftlab's analysis: pure stage functions plus a thin Ray shell (pipelines.shell)."""

__version__ = "0.1.0"
