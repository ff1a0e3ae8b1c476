"""The taxonomy: coverage, aliases, CWE relations from cwe2."""

from __future__ import annotations

import pytest

from graderlib import UnknownCategoryError, default_taxonomy
from graderlib.cwe import cwe_graph
from graderlib.taxonomy import Relation

TAXONOMY = default_taxonomy()


def test_at_least_25_categories_each_fully_described() -> None:
    assert len(TAXONOMY) >= 25
    for category in TAXONOMY:
        assert category.title and category.description and category.cwe
        assert all(cwe_graph().exists(c) for c in category.cwe), category.id
        assert category.id == category.id.lower() and " " not in category.id


def test_issue_named_categories_exist() -> None:
    wanted = [
        "sql-injection",
        "command-injection",
        "code-injection",
        "path-traversal",
        "unsafe-deserialization",
        "xxe",
        "weak-hash",
        "weak-random",
        "hardcoded-secret",
        "tls-verification-disabled",
        "ssrf",
        "open-redirect",
        "xss",
        "debug-mode",
        "insecure-temp-file",
        "permissive-file-mode",
        "assert-security-check",
        "request-without-timeout",
        "swallowed-exception",
        "mutable-default-argument",
        "resource-leak",
        "race-condition",
        "missing-lock",
        "retry-misuse",
        "cache-bug",
        "sensitive-data-in-logs",
        "identity-comparison",
        "off-by-one",
        "none-dereference",
        "late-binding-closure",
        "exhausted-iterator",
        "mutation-while-iterating",
    ]
    assert set(wanted) <= set(TAXONOMY.ids)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("B608", "sql-injection"),
        ("S608", "sql-injection"),
        ("sqli", "sql-injection"),
        ("SQL injection", "sql-injection"),
        ("CWE-89", "sql-injection"),
        ("cwe_95", "code-injection"),
        ("external/cwe/cwe-079", "xss"),
        ("E722", "swallowed-exception"),
        ("B006", "mutable-default-argument"),
        (
            "python.lang.security.audit.subprocess-shell-true.subprocess-shell-true",
            "command-injection",
        ),
        ("CWE-943", "CWE-943"),
    ],
)
def test_aliases_resolve(name: str, category: str) -> None:
    assert TAXONOMY.resolve(name) == category


def test_unknown_names_get_suggestions_and_bogus_cwes_are_rejected() -> None:
    with pytest.raises(UnknownCategoryError, match="did you mean 'command-injection'"):
        TAXONOMY.resolve("comand-injection")
    with pytest.raises(UnknownCategoryError):
        TAXONOMY.resolve("CWE-99999")


def test_every_bandit_test_id_resolves() -> None:
    from bandit.core import extension_loader

    manager = extension_loader.MANAGER
    ids = set(manager.plugins_by_id) | set(manager.blacklist_by_id)
    assert len(ids) > 60
    assert {i for i in ids if TAXONOMY.try_resolve(i) is None} == set()


def test_relations_come_from_the_cwe_hierarchy() -> None:
    assert TAXONOMY.relation("sql-injection", "sql-injection") is Relation.EXACT
    assert TAXONOMY.relation("CWE-943", "sql-injection") is Relation.PARENT_CHILD
    assert TAXONOMY.relation("sql-injection", "CWE-943") is Relation.PARENT_CHILD
    assert TAXONOMY.relation("weak-cipher", "weak-hash") is Relation.PARENT_CHILD
    assert TAXONOMY.relation("sql-injection", "mutable-default-argument") is Relation.NONE
    assert 943 in TAXONOMY.get("sql-injection").cwe_parents
