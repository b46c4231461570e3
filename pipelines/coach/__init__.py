"""Coaching comments: findings from report.json, a rule-based coach, LLM prompts, Redis-backed threads.

Flow: report.json -> measurements (SI) -> rule outcomes -> one findings document per thread key
(in the caller's measurement system) -> text from the rule-based coach or from an OpenAI-compatible LLM.
See docs/coaching.md.
"""
