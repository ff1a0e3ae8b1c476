"""What a category means, in one place.

A category has a stable kebab-case id, CWE ids and the many names tools and people give it
(bandit ``B608``, ruff ``S608``, semgrep rule names, ``CWE-89``, ``sqli``). Everything else in
graderlib speaks category ids; this module turns any spelling into one.

Any ``CWE-<n>`` MITRE publishes is a category too, so corpora labelled only by CWE load
unchanged: a weakness of the research view, a MITRE category (CWE-310 "Cryptographic Issues"),
a view, or a deprecated id (which resolves to the replacement MITRE names, if it names one).
Such an id resolves to a named category when it is that category's primary CWE (or a secondary
CWE no other category claims), and otherwise stays ``CWE-<n>``.

How related two categories are (exact, parent/child, sibling) is decided here from the CWE
hierarchy, where a MITRE category or view is the parent of its members; how much credit a
relation earns is the reward policy's business, not ours.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from enum import IntEnum, StrEnum
from functools import cache, cached_property
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict

from graderlib.cwe import current_cwe, cwe_graph, cwe_name, groups_of, known_cwe

_CWE_ID = re.compile(r"^\s*cwe[-_ ]?(\d{1,5})\s*$", re.IGNORECASE)
_CODEQL_CWE_TAG = re.compile(r"^external/cwe/cwe-(\d{1,5})$", re.IGNORECASE)


class Severity(StrEnum):
    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Larger is more severe; lets callers compare severities without a lookup table."""
        return {"critical": 3, "high": 2, "medium": 1, "low": 0}[self.value]


class Relation(IntEnum):
    """How a reported category relates to an expected one; larger is closer."""

    NONE = 0
    SIBLING = 1
    PARENT_CHILD = 2
    EXACT = 3


class UnknownCategoryError(ValueError):
    """A category name that no category, alias or CWE id explains."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown category {name!r}{hint}")


class Category(BaseModel):
    """One entry of the taxonomy."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    kind: Literal["security", "correctness"]
    cwe: tuple[int, ...]
    severity: Severity
    description: str
    aliases: tuple[str, ...] = ()

    @property
    def primary_cwe(self) -> int | None:
        return self.cwe[0] if self.cwe else None

    @property
    def cwe_parents(self) -> frozenset[int]:
        """Direct parents of the primary CWE in MITRE's research view."""
        return cwe_graph().parents_of(self.cwe[0]) if self.cwe else frozenset()


def normalize_name(name: str) -> str:
    """Case- and separator-insensitive form: "SQL injection" == "sql_injection" == "SQLi..."."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def cwe_number(name: str) -> int | None:
    """The CWE number in ``CWE-89``, ``cwe_89`` or a CodeQL tag ``external/cwe/cwe-89``."""
    found = _CWE_ID.match(name) or _CODEQL_CWE_TAG.match(name.strip())
    return int(found.group(1)) if found else None


class Taxonomy:
    """The categories and every name that resolves to them."""

    def __init__(self, categories: list[Category]) -> None:
        self.categories: dict[str, Category] = {}
        self._by_name: dict[str, str] = {}
        self._by_cwe: dict[int, str] = {}
        for category in categories:
            if category.id in self.categories:
                raise ValueError(f"category {category.id!r} is defined twice")
            self.categories[category.id] = category
        for category in categories:
            for name in (category.id, category.title, *category.aliases):
                self._claim_name(normalize_name(name), category.id)
        # Primary CWEs first, so a secondary CWE never shadows another category's primary.
        for category in categories:
            if category.primary_cwe is not None:
                self._by_cwe.setdefault(category.primary_cwe, category.id)
        secondary_owners: dict[int, set[str]] = {}
        for category in categories:
            for cwe in category.cwe[1:]:
                secondary_owners.setdefault(cwe, set()).add(category.id)
        for cwe, owners in secondary_owners.items():
            if cwe not in self._by_cwe and len(owners) == 1:
                self._by_cwe[cwe] = next(iter(owners))

    def _claim_name(self, key: str, category_id: str) -> None:
        owner = self._by_name.setdefault(key, category_id)
        if owner != category_id:
            raise ValueError(f"name {key!r} is claimed by both {owner!r} and {category_id!r}")

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.try_resolve(name) is not None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.categories.values())

    def __len__(self) -> int:
        return len(self.categories)

    def try_resolve(self, name: str) -> str | None:
        """The canonical category id for ``name``, or None when nothing explains it."""
        return _resolve_cached(self, name)

    def _resolve(self, name: str) -> str | None:
        owner = self._by_name.get(normalize_name(name))
        if owner is not None:
            return owner
        number = cwe_number(name)
        if number is None or not known_cwe(number):
            return None
        number = current_cwe(number)  # a deprecated id resolves to its named replacement
        if number in self._by_cwe:
            return self._by_cwe[number]
        return f"CWE-{number}"

    def resolve(self, name: str) -> str:
        """The canonical category id for ``name``; raises UnknownCategoryError with suggestions."""
        resolved = self.try_resolve(name)
        if resolved is None:
            raise UnknownCategoryError(name, self.suggest(name))
        return resolved

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Category ids whose names look like ``name`` (for error messages)."""
        key = normalize_name(name)
        close = difflib.get_close_matches(key, list(self._by_name), n=limit * 3, cutoff=0.6)
        ids: list[str] = []
        for match in close:
            category_id = self._by_name[match]
            if category_id not in ids:
                ids.append(category_id)
        return ids[:limit]

    def get(self, category_id: str) -> Category | None:
        return self.categories.get(category_id)

    def cwes_of(self, category_id: str) -> tuple[int, ...]:
        category = self.categories.get(category_id)
        if category is not None:
            return category.cwe
        number = cwe_number(category_id)
        return (number,) if number is not None else ()

    def default_severity(self, category_id: str) -> Severity:
        category = self.categories.get(category_id)
        return category.severity if category is not None else Severity.MEDIUM

    def is_security(self, category_id: str) -> bool:
        """Bare CWE categories count as security: that is what CWE catalogues."""
        category = self.categories.get(category_id)
        return category is None or category.kind == "security"

    def title_of(self, category_id: str) -> str:
        category = self.categories.get(category_id)
        if category is not None:
            return category.title
        number = cwe_number(category_id)
        return (cwe_name(number) or category_id) if number is not None else category_id

    def relation(self, reported: str, expected: str) -> Relation:
        """How close two canonical category ids are, from the CWE hierarchy."""
        return _relation_cached(self, reported, expected)

    def _relation(self, reported: str, expected: str) -> Relation:
        if reported == expected:
            return Relation.EXACT
        left, right = set(self.cwes_of(reported)), set(self.cwes_of(expected))
        if not left or not right:
            return Relation.NONE
        graph = cwe_graph()
        if left & right:
            return Relation.PARENT_CHILD
        # a MITRE category or view is the parent of its members (parent/child only: sharing
        # a category as broad as CWE-16 does not make two weaknesses siblings)
        for cwe in left:
            if (graph.parents_of(cwe) | groups_of(cwe)) & right:
                return Relation.PARENT_CHILD
        for cwe in right:
            if (graph.parents_of(cwe) | groups_of(cwe)) & left:
                return Relation.PARENT_CHILD
        left_parents = set().union(*(graph.parents_of(c) for c in left))
        right_parents = set().union(*(graph.parents_of(c) for c in right))
        if left_parents & right_parents:
            return Relation.SIBLING
        return Relation.NONE

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.categories)


@cache
def _resolve_cached(taxonomy: Taxonomy, name: str) -> str | None:
    return taxonomy._resolve(name)


@cache
def _relation_cached(taxonomy: Taxonomy, reported: str, expected: str) -> Relation:
    return taxonomy._relation(reported, expected)


@cache
def default_taxonomy() -> Taxonomy:
    """The taxonomy shipped in ``graderlib/data/taxonomy.toml``, loaded once."""
    text = resources.files("graderlib.data").joinpath("taxonomy.toml").read_text("utf-8")
    table = tomllib.loads(text)
    return Taxonomy([Category.model_validate(entry) for entry in table["category"]])
