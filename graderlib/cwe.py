"""The CWE hierarchy, read from MITRE's research view (CWE-1000) as shipped by ``cwe2``.

Why a data package and not a hand-typed table: the hierarchy has ~940 weaknesses and MITRE
revises it every release. ``cwe2`` ships the official CSV export, so a new release of that
package is a new hierarchy, with no edits here.

Only the ``ChildOf`` relations of view 1000 are kept: that view is a tree-like DAG meant for
exactly this kind of reasoning ("is CWE-89 a kind of CWE-943?"). Loading takes ~60 ms and
happens once per process, the first time a relation or an unknown CWE id is asked about.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

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
