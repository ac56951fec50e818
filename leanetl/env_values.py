"""Typed values of documented settings from one environment (no reading of its own: the
caller hands it the environment and the settings' documentation)."""

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class EnvValues:
    """Typed values of documented settings from one environment; errors name the variable.

    An unset or blank variable takes its documented default; a default written ``$NAME`` is
    the value of setting ``NAME``.
    """

    def __init__(self, environ: Mapping[str, str], doc: Mapping[str, tuple[str, str]]) -> None:
        self._environ, self._doc = environ, doc

    def is_set(self, name: str) -> bool:
        return bool(self._environ.get(name, "").strip())

    def text(self, name: str, default: str | None = None) -> str:
        value = self._environ.get(name, "").strip()
        if value:
            return value
        fallback = self._doc[name][0] if default is None else default
        if fallback.startswith("$") and fallback[1:] in self._doc:
            return self.text(fallback[1:])
        return fallback

    def _parsed(self, name: str, kind: type[int] | type[float]) -> int | float:
        text = self.text(name)
        try:
            return kind(text)
        except ValueError:
            raise ValueError(f"{name}={text!r} is not a {kind.__name__}") from None

    def flag(self, name: str) -> bool:
        text = self.text(name).lower()
        if text in ("1", "true", "on", "yes"):
            return True
        if text in ("0", "false", "off", "no", ""):
            return False
        raise ValueError(f"{name}={text!r} is not on or off")

    def integer(self, name: str, low: int | None = None, high: int | None = None) -> int:
        value = int(self._parsed(name, int))
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"{name}={value} is not {low} to {high}")
        return value

    def number(self, name: str) -> float:
        return float(self._parsed(name, float))

    def share(self, name: str) -> float:
        value = self.number(name)
        if not 0 <= value <= 1:
            raise ValueError(f"{name}={value} is not 0 to 1")
        return value

    def words(self, name: str) -> tuple[str, ...]:
        """A comma-separated list, blanks dropped."""
        return tuple(w.strip() for w in self.text(name).split(",") if w.strip())

    def timezone(self, name: str) -> str:
        value = self.text(name)
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{name}={value!r} is not an IANA timezone") from None
        return value
