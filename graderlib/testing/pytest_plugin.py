"""``pytest -p graderlib.testing.pytest_plugin --grader=module:callable``: one test per law.

The plugin adds the ``--grader`` option and, when it is given, collects one test item per law
for that grader, so a benchmark's own CI reports each law as a pass, a failure with its
counterexample, or a skip with its reason. ``--grader-examples`` sets the examples per law and
``--grader-skip`` skips laws by name. Nothing is imported from hypothesis until a run asks.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("graderlib", "grader conformance (graderlib.testing)")
    group.addoption("--grader", default=None, help="module:callable of the grader to check")
    group.addoption("--grader-examples", type=int, default=200, help="examples per law")
    group.addoption("--grader-skip", default="", help="comma-separated law names to skip")
    group.addoption(
        "--grader-shrink", action="store_true", help="find the smallest counterexamples"
    )


class _LawItem(pytest.Item):
    def __init__(self, *, law: Any, grader: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.law = law
        self.grader = grader

    def runtest(self) -> None:
        from graderlib.testing.runner import check_law

        skipped = {s for s in self.config.getoption("grader_skip").split(",") if s}
        if self.law.name in skipped:
            pytest.skip("skipped by name")
        examples = self.config.getoption("grader_examples")
        shrink = self.config.getoption("grader_shrink")
        result = check_law(self.grader, self.law, examples=examples, shrink=shrink)
        if result.outcome == "skipped":
            pytest.skip(result.detail)
        if result.outcome == "failed":
            raise AssertionError(f"{self.law.name}: {result.detail}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        return str(excinfo.value)

    def reportinfo(self) -> tuple[str, int, str]:
        return "graderlib-conformance", 0, f"{self.grader.name}::{self.law.name}"


class _Conformance(pytest.Collector):
    def __init__(self, *, spec: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.spec = spec

    def collect(self) -> Iterator[pytest.Item]:
        from graderlib.testing.laws import LAWS
        from graderlib.testing.runner import load_grader

        grader = load_grader(self.spec)
        for law in LAWS:
            yield _LawItem.from_parent(self, name=law.name, law=law, grader=grader)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    spec = config.getoption("grader")
    if not spec:
        return
    collector = _Conformance.from_parent(session, name=f"conformance[{spec}]", spec=spec)
    items.extend(collector.collect())
