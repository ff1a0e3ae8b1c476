"""Scorecards of real tools: bandit's and ruff's own SARIF over the curated corpus, laid out the
way a tool sees a benchmark (one file per task, named by its id), and the HTML page in chromium.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from graderlib.cli import main
from graderlib.findings import findings_from_sarif
from graderlib.grading import grade
from graderlib.task import Task, default_tasks_dir, find_task_dirs, load_task

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "tests" / "artifacts"
RUFF_RULES = "S,B,E722,SIM115,PLW,PLE,F632,BLE"


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Task], dict[str, Path]]:
    """``testcode/<task-id>.py`` holds each task's cleaned source; bandit and ruff scan it."""
    root = tmp_path_factory.mktemp("benchmark")
    testcode = root / "testcode"
    testcode.mkdir()
    tasks = [load_task(d) for d in find_task_dirs([default_tasks_dir()])]
    for task in tasks:
        (testcode / f"{task.id}.py").write_text(task.source, encoding="utf-8")
    outputs = {"bandit": root / "bandit.sarif", "ruff": root / "ruff.sarif"}
    subprocess.run(
        [str(BIN / "bandit"), "-q", "-r", "testcode", "-f", "sarif", "-o", str(outputs["bandit"])],
        cwd=root,
        check=False,  # bandit exits 1 when it finds something
        capture_output=True,
    )
    ruff = shutil.which("ruff", path=str(BIN)) or "ruff"
    subprocess.run(
        [
            ruff,
            "check",
            "--isolated",
            "--select",
            RUFF_RULES,
            "--output-format",
            "sarif",
            "--exit-zero",
            "-o",
            str(outputs["ruff"]),
            "testcode",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return root, tasks, outputs


def _scorecard(*arguments: str) -> Any:
    output = io.StringIO()
    with redirect_stdout(output):
        assert main(["scorecard", str(default_tasks_dir()), "--json", *arguments]) == 0
    return json.loads(output.getvalue())


def _independent_mean_score(sarif: Path, tasks: list[Task], unexplained: set[str]) -> float:
    """Grade each file's results with graderlib's plain SARIF reader, one task at a time
    (leaving out the rules the scorecard listed as unexplained: the plain reader refuses them).
    """
    document = json.loads(sarif.read_text())
    run = document["runs"][0]
    scores = []
    for task in tasks:
        own = [
            r
            for r in run["results"]
            if r["ruleId"] not in unexplained
            and Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).stem
            == task.id
        ]
        findings = findings_from_sarif({"runs": [{**run, "results": own}]})
        scores.append(grade(task, [f.model_copy(update={"file": None}) for f in findings]).score)
    return round(sum(scores) / len(scores), 4)


def test_real_bandit_and_ruff_sarif_over_a_corpus_by_file_stem(
    laid_out: tuple[Path, list[Task], dict[str, Path]],
) -> None:
    _root, tasks, outputs = laid_out
    cards = _scorecard(
        "--findings", f"bandit={outputs['bandit']}", "--findings", f"ruff={outputs['ruff']}"
    )
    by_tool = {card["tool"]: card for card in cards}
    for tool, card in by_tool.items():
        overall = card["overall"]
        assert overall["tasks"] == len(tasks)
        # every result names testcode/<task-id>.py, so every result finds its task by the
        # file stem; the only results left over are rules no category explains (ruff's B905)
        assert (
            overall["mapped"] > 20 and overall["mapped"] + overall["unmapped"] == overall["results"]
        )
        assert all("no category explains" in u["reason"] for u in card["unmapped"]), tool
        unexplained = {u["rule_id"] for u in card["unmapped"]}
        expected = _independent_mean_score(outputs[tool], tasks, unexplained)
        assert overall["mean_score"] == expected, tool
        # what both tools plainly find in this corpus
        assert card["categories"]["unsafe-deserialization"]["tp"] >= 3, tool
        assert card["categories"]["sql-injection"]["tp"] >= 1, tool
    # bandit states CWE-327 for md5 (B324): strict mode counts it for weak-hash (CWE-328) only
    # through the documented equivalence.
    strict = _scorecard("--findings", str(outputs["bandit"]), "--strict")
    bare = _scorecard("--findings", str(outputs["bandit"]), "--strict", "--no-default-equivalences")
    assert strict["categories"]["weak-hash"]["tp"] >= 1
    assert bare["categories"]["weak-hash"]["tp"] == 0


def test_html_page_draws_the_roc_square_in_chromium(
    laid_out: tuple[Path, list[Task], dict[str, Path]],
) -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make test installs it with apt-get)")
    from playwright.sync_api import sync_playwright

    root, _tasks, outputs = laid_out
    page_path = root / "scorecard.html"
    cards = _scorecard(
        "--findings",
        f"bandit={outputs['bandit']}",
        "--findings",
        f"ruff={outputs['ruff']}",
        "--agent",
        "oracle",
        "--html",
        str(page_path),
    )
    html = page_path.read_text()
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    with_both = {
        name
        for card in cards
        for name, score in card["categories"].items()
        if score["tpr"] is not None and score["fpr"] is not None
    }
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            headless=True,
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(page_path.as_uri())
            charts = page.locator("svg.roc")
            assert charts.count() == 1 + len({n for c in cards for n in c["categories"]})
            # The averages chart: one point per tool, drawn where its rates put it.
            first = charts.first.locator("circle.point")
            assert first.count() == 3
            for index, card in enumerate(cards):
                point = first.nth(index)
                assert point.get_attribute("data-tool") == card["tool"]
                box = point.bounding_box()
                square = charts.first.locator("rect").bounding_box()
                assert box is not None and square is not None
                centre_x = (box["x"] + box["width"] / 2 - square["x"]) / square["width"]
                centre_y = 1 - (box["y"] + box["height"] / 2 - square["y"]) / square["height"]
                assert centre_x == pytest.approx(card["overall"]["fpr"], abs=0.02)
                assert centre_y == pytest.approx(card["overall"]["tpr"], abs=0.02)
            assert page.locator("circle.point").count() >= 3 + len(with_both)
            assert page.locator("table.categories").count() == 3
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "scorecard.png"), full_page=True)
        finally:
            browser.close()
    assert (ARTIFACTS / "scorecard.png").stat().st_size > 10_000
