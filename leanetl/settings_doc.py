"""Every setting's name, default and meaning: the core's in ``leanetl/settings.toml``, each
domain's in ``leanetl/defs/<domain>/settings.toml`` (found by ``leanetl.domains``). The docs
page, .env.example, the reader's defaults and the redactor's list of secrets all come from these
(a meaning that starts with ``secret:`` makes a secret)."""

from functools import cache
from pathlib import Path

from leanetl.domains import domain_docs
from leanetl.settings_table import read_settings_table

CORE_DOC = read_settings_table(Path(__file__).with_name("settings.toml"))


@cache
def settings_doc() -> dict[str, tuple[str, str]]:
    """Every setting: the core's, then each domain's, in the domains' order."""
    merged = dict(CORE_DOC)
    for domain, doc in domain_docs().items():
        if taken := sorted(set(doc) & set(merged)):
            raise ValueError(f"domain {domain} declares settings declared before: {taken}")
        merged |= doc
    return merged


@cache
def secret_names() -> tuple[str, ...]:
    """The settings whose values are secrets (their meaning starts with ``secret:``)."""
    return tuple(n for n, (_, about) in settings_doc().items() if about.startswith("secret:"))
