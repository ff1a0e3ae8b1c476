"""The CWE hierarchy, read from MITRE's research view (CWE-1000) as shipped by ``cwe2``.

Why a data package and not a hand-typed table: the hierarchy has ~940 weaknesses and MITRE
revises it every release. ``cwe2`` ships the official CSV export, so a new release of that
package is a new hierarchy, with no edits here.

Only the ``ChildOf`` relations of view 1000 are kept: that view is a tree-like DAG meant for
exactly this kind of reasoning ("is CWE-89 a kind of CWE-943?"). Loading takes ~60 ms and
happens once per process, the first time a relation or an unknown CWE id is asked about.

The research view leaves out MITRE's categories (CWE-310), views (CWE-1003) and deprecated
ids, which real SARIF files still use. Those come from the same release's XML, reduced once
to ``graderlib/data/cwe_catalog.json`` (CWE 4.14, 488 entries, 66 KB; regenerate with
``python -m graderlib.cwe > graderlib/data/cwe_catalog.json``).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from xml.etree import ElementTree

_CHILD_OF = re.compile(r"NATURE:ChildOf:CWE ID:(\d+):VIEW ID:1000\b")


@dataclass(frozen=True, slots=True)
class CweGraph:
    """Names and direct ``ChildOf`` parents of every weakness in the research view."""

    names: dict[int, str]
    parents: dict[int, frozenset[int]]

    def exists(self, cwe: int) -> bool:
        return cwe in self.names

    def parents_of(self, cwe: int) -> frozenset[int]:
        return self.parents.get(cwe, frozenset())


@cache
def cwe_graph() -> CweGraph:
    """Load the research view once; later calls are free."""
    csv.field_size_limit(1 << 26)
    table = resources.files("cwe2.database_v49.navigate_cwe") / "1000.csv"
    names: dict[int, str] = {}
    parents: dict[int, frozenset[int]] = {}
    with table.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cwe = int(row["CWE-ID"])
            names[cwe] = row["Name"]
            related = row.get("Related Weaknesses") or ""
            parents[cwe] = frozenset(int(p) for p in _CHILD_OF.findall(related))
    return CweGraph(names=names, parents=parents)


# ------------------------------------------------------------------ categories, views, deprecations

CATALOG = "cwe_catalog.json"
_CWE_REFERENCE = re.compile(r"\bCWE-(\d{1,5})\b")


@dataclass(frozen=True, slots=True)
class CweEntry:
    """A MITRE id outside the research view: a category, a view or a deprecated entry.

    ``members`` are what MITRE lists under ``Has_Member`` (for a category, its weaknesses);
    ``suggested`` are the weaknesses its mapping notes offer instead of a category that must
    not be used for mapping (CWE-310 names CWE-327); ``replaced_by`` is the one id a
    deprecated entry's description points to, if it names exactly one.
    """

    kind: str
    name: str
    members: frozenset[int] = frozenset()
    suggested: frozenset[int] = frozenset()
    replaced_by: int | None = None


@cache
def cwe_catalog() -> dict[int, CweEntry]:
    """Every category, view and deprecated id of the CWE release ``cwe2`` ships.

    Extracted once from that release's XML into ``graderlib/data/cwe_catalog.json`` (about
    60 KB against 14 MB; :func:`build_catalog` regenerates it, and a test checks it against
    the XML).
    """
    text = resources.files("graderlib.data").joinpath(CATALOG).read_text("utf-8")
    table = json.loads(text)
    return {
        int(cwe): CweEntry(
            kind=entry["kind"],
            name=entry["name"],
            members=frozenset(entry.get("members", ())),
            suggested=frozenset(entry.get("suggested", ())),
            replaced_by=entry.get("replaced_by"),
        )
        for cwe, entry in table["entries"].items()
    }


def build_catalog(root: ElementTree.Element) -> dict[str, object]:
    """The catalog's JSON document, from MITRE's ``cwec_v*.xml`` (as ``cwe2`` ships it)."""
    ns = {"c": root.tag.split("}")[0].strip("{")}
    entries: dict[str, dict[str, object]] = {}
    for kind, path in (("category", "c:Categories/c:Category"), ("view", "c:Views/c:View")):
        for element in root.iterfind(path, ns):
            entries[element.get("ID", "")] = _catalog_entry(kind, element, ns)
    for element in root.iterfind("c:Weaknesses/c:Weakness", ns):
        if element.get("Status") == "Deprecated":
            entries[element.get("ID", "")] = _catalog_entry("weakness", element, ns)
    views = {int(cwe) for cwe, entry in entries.items() if entry["kind"] == "view"}
    for entry in entries.values():
        named = entry.pop("named", None)
        if isinstance(named, set) and len(named - views) == 1:
            entry["replaced_by"] = (named - views).pop()  # a view is never a replacement
    return {
        "source": "MITRE CWE, cwec_v4.14.xml as shipped by the cwe2 package "
        "(https://cwe.mitre.org/data/downloads.html); CWE terms of use apply",
        "version": root.get("Version", ""),
        "entries": dict(sorted(entries.items(), key=lambda item: int(item[0]))),
    }


def _catalog_entry(
    kind: str, element: ElementTree.Element, ns: dict[str, str]
) -> dict[str, object]:
    entry: dict[str, object] = {"kind": kind, "name": element.get("Name", "")}
    members = sorted(
        {int(m.get("CWE_ID", "0")) for m in element.iterfind(".//c:Has_Member", ns)} - {0}
    )
    if members:
        entry["members"] = members
    notes = element.find("c:Mapping_Notes", ns)
    if notes is not None and element.get("Status") != "Deprecated":
        suggested = {int(s.get("CWE_ID", "0")) for s in notes.iterfind(".//c:Suggestion", ns)}
        comments = " ".join(c.text or "" for c in notes.iterfind("c:Comments", ns))
        suggested |= {int(n) for n in _CWE_REFERENCE.findall(comments)}
        if suggested - {0}:
            entry["suggested"] = sorted(suggested - {0})
    if element.get("Status") == "Deprecated":
        entry["kind"] = "deprecated"
        description = " ".join(element.itertext())
        own = int(element.get("ID", "0"))
        entry["named"] = {int(n) for n in _CWE_REFERENCE.findall(description)} - {own}
    return entry


@cache
def groups_of(cwe: int) -> frozenset[int]:
    """The MITRE categories and views that list ``cwe`` as a member (or, for a category whose
    use MITRE prohibits, as the weakness to map to instead)."""
    return _groups().get(cwe, frozenset())


@cache
def _groups() -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {}
    for group, entry in cwe_catalog().items():
        if entry.kind in {"category", "view"}:
            for member in entry.members | entry.suggested:
                found.setdefault(member, set()).add(group)
    return {cwe: frozenset(groups) for cwe, groups in found.items()}


def known_cwe(cwe: int) -> bool:
    """Any id MITRE publishes: a weakness of the research view, a category, a view, or a
    deprecated entry."""
    return cwe_graph().exists(cwe) or cwe in cwe_catalog()


def cwe_name(cwe: int) -> str | None:
    name = cwe_graph().names.get(cwe)
    if name is None and cwe in cwe_catalog():
        name = cwe_catalog()[cwe].name
    return name


def current_cwe(cwe: int) -> int:
    """A deprecated id's replacement where MITRE names one; any other id unchanged."""
    entry = cwe_catalog().get(cwe)
    if entry is not None and entry.kind == "deprecated" and entry.replaced_by is not None:
        return entry.replaced_by
    return cwe


if __name__ == "__main__":  # python -m graderlib.cwe > graderlib/data/cwe_catalog.json
    source = resources.files("cwe2.database_v49") / "cwec_v4.14.xml"
    catalog = build_catalog(ElementTree.fromstring(source.read_bytes()))
    print(json.dumps(catalog, separators=(",", ":")))
