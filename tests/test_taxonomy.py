"""The taxonomy: coverage, aliases, CWE relations from cwe2."""

from __future__ import annotations

import json
from importlib import resources
from xml.etree import ElementTree

import pytest

from graderlib import UnknownCategoryError, default_taxonomy
from graderlib.cwe import CATALOG, build_catalog, cwe_graph
from graderlib.findings import Finding
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


# ----------------------------------------------------------- MITRE categories, views, deprecations


@pytest.fixture(scope="module")
def mitre() -> ElementTree.Element:
    """The CWE release cwe2 ships, as MITRE publishes it (the ground truth for membership)."""
    xml = resources.files("cwe2.database_v49") / "cwec_v4.14.xml"
    return ElementTree.fromstring(xml.read_bytes())


def _members(mitre: ElementTree.Element, category: int) -> set[int]:
    ns = {"c": mitre.tag.split("}")[0].strip("{")}
    found = mitre.find(f"c:Categories/c:Category[@ID='{category}']", ns)
    assert found is not None
    return {int(m.get("CWE_ID", "0")) for m in found.iterfind(".//c:Has_Member", ns)}


def test_the_shipped_catalog_is_what_the_cwe_release_says(mitre: ElementTree.Element) -> None:
    shipped = json.loads(resources.files("graderlib.data").joinpath(CATALOG).read_text())
    assert build_catalog(mitre) == shipped
    assert shipped["version"] == mitre.get("Version") == "4.14"


@pytest.mark.parametrize(
    ("cwe", "name"),
    [
        (310, "Cryptographic Issues"),
        (255, "Credentials Management Errors"),
        (16, "Configuration"),
        (1003, "Weaknesses for Simplified Mapping of Published Vulnerabilities"),
    ],
)
def test_mitre_categories_and_views_are_categories(cwe: int, name: str) -> None:
    assert TAXONOMY.resolve(f"CWE-{cwe}") == f"CWE-{cwe}"
    assert TAXONOMY.title_of(f"CWE-{cwe}") == name
    Finding(line=1, category=f"CWE-{cwe}")  # a finding may claim it


@pytest.mark.parametrize("category", [310, 255, 1218])
def test_a_mitre_category_is_the_parent_of_each_of_its_members(
    mitre: ElementTree.Element, category: int
) -> None:
    members = _members(mitre, category)
    assert members
    for member in sorted(members):
        related = TAXONOMY.relation(f"CWE-{category}", TAXONOMY.resolve(f"CWE-{member}"))
        assert related is Relation.PARENT_CHILD, member
        assert TAXONOMY.relation(TAXONOMY.resolve(f"CWE-{member}"), f"CWE-{category}") is related
    assert TAXONOMY.relation(f"CWE-{category}", "sql-injection") is Relation.NONE


def test_cryptographic_issues_earn_credit_for_broken_crypto_and_weak_hashes() -> None:
    # CWE-310 lists CWE-328 as a member; its mapping notes name CWE-327 instead of itself
    assert TAXONOMY.relation("CWE-310", "weak-cipher") is Relation.PARENT_CHILD
    assert TAXONOMY.relation("CWE-310", "weak-hash") is Relation.PARENT_CHILD
    assert TAXONOMY.relation("CWE-255", "hardcoded-secret") is Relation.PARENT_CHILD


def test_deprecated_ids_resolve_to_their_replacement_or_stand_alone() -> None:
    assert TAXONOMY.resolve("CWE-71") == "CWE-62"  # "deprecated ... duplicate of CWE-62"
    assert TAXONOMY.resolve("CWE-365") == "race-condition"  # replaced by CWE-367
    assert TAXONOMY.resolve("CWE-1") == "CWE-1"  # no replacement named: valid, unrelated
    assert TAXONOMY.relation("CWE-1", "sql-injection") is Relation.NONE
    assert TAXONOMY.title_of("CWE-1") == "DEPRECATED: Location"
