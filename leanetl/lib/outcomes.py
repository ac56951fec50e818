"""The one shape of a Python check's result, computed in lib and reported by
``defs/checks.check_results``: ``{check name: (passed, metadata)}``."""

Outcomes = dict[str, tuple[bool, dict[str, object]]]
