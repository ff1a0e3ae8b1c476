"""Engines: the same results, in the same order, wherever the per-task work runs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graderlib.evaluate import LocalEngine, RayEngine, make_engine, score_agent
from graderlib.evaluate.engine import EngineError
from graderlib.generate import generate_tasks, write_tasks
from graderlib.task import Task, find_task_dirs, load_task


def _generated(tmp_path: Path, count: int, engine: LocalEngine | RayEngine | None) -> list[Task]:
    out = tmp_path / "generated"
    write_tasks(generate_tasks(7, count, engine=engine), out)
    return [load_task(d) for d in find_task_dirs([out])]


@pytest.mark.slow
def test_local_pool_streams_the_serial_results_in_order(tmp_path: Path) -> None:
    serial = generate_tasks(3, 6)
    assert generate_tasks(3, 6, engine=LocalEngine(2)) == serial
    tasks = [load_task(d) for d in find_task_dirs([Path(__file__).parent / "fixtures"])][:6]
    seen: list[int] = []
    pooled = score_agent("random", tasks, engine=LocalEngine(2), progress=seen.append)
    assert pooled == score_agent("random", tasks)
    assert seen == list(range(1, len(tasks) + 1))


def test_engine_options_are_checked() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        LocalEngine(0)
    with pytest.raises(ValueError, match="--address only applies"):
        make_engine("local", address="auto")
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("dask")
    with pytest.raises(ValueError, match="pass bases or an engine"):
        generate_tasks(1, 1, bases=[], engine=LocalEngine(1))


def test_a_ray_address_nobody_answers_on_fails_fast_with_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("ray")
    from graderlib.cli import main

    corpus = str(Path(__file__).parent / "fixtures" / "scorecard_corpus")
    code = main(
        ["scorecard", corpus, "--agent", "oracle", "--engine", "ray", "--address", "127.0.0.1:1"]
    )
    assert code == 2
    assert "no Ray cluster answers at 127.0.0.1:1" in capsys.readouterr().err


def test_infer_on_a_ray_address_nobody_answers_on_is_exit_2_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("ray")
    from graderlib.cli import main
    from tests.env_support import FIXTURE_TASKS, REPO

    out = tmp_path / "r.json"
    code = main(
        ["infer", "--agent", "static", "--tasks", str(FIXTURE_TASKS), "--app-dir", str(REPO),
         "--engine", "ray", "--address", "127.0.0.1:1", "--out", str(out)]
    )  # fmt: skip
    assert code == 2
    assert "no Ray cluster answers at 127.0.0.1:1" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.slow
def test_tasks_generate_on_a_pool_writes_the_same_tasks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from graderlib.cli import main

    assert main(["tasks", "generate", "--count", "4", str(tmp_path / "serial")]) == 0
    assert main(["tasks", "generate", "--count", "4", "--jobs", "2", str(tmp_path / "pool")]) == 0
    serial = sorted(p.relative_to(tmp_path / "serial") for p in (tmp_path / "serial").rglob("*"))
    pooled = sorted(p.relative_to(tmp_path / "pool") for p in (tmp_path / "pool").rglob("*"))
    assert serial == pooled and len(serial) > 8
    for relative in serial:
        if (tmp_path / "serial" / relative).is_file():
            assert (tmp_path / "serial" / relative).read_bytes() == (
                tmp_path / "pool" / relative
            ).read_bytes()
    capsys.readouterr()
    assert main(["tasks", "generate", "--engine", "ray", "--jobs", "2", str(tmp_path)]) == 2
    assert "--jobs is for --engine local" in capsys.readouterr().err


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray = pytest.importorskip("ray")
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        log_to_driver=False,
        object_store_memory=80 * 1024 * 1024,
    )
    try:
        yield
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_ray_results_are_identical_to_the_local_engine(local_ray: None, tmp_path: Path) -> None:
    local_tasks = _generated(tmp_path / "local", 50, None)
    ray_tasks = _generated(tmp_path / "ray", 50, RayEngine())
    assert [t.source for t in ray_tasks] == [t.source for t in local_tasks]
    assert [t.issues for t in ray_tasks] == [t.issues for t in local_tasks]
    for agent in ("random", "oracle", "keyword"):
        progress: list[int] = []
        on_ray = score_agent(agent, ray_tasks, engine=RayEngine(), progress=progress.append)
        local = score_agent(agent, local_tasks, engine=LocalEngine(1))
        assert on_ray == local, agent
        assert progress == list(range(1, 51))
    assert score_agent("oracle", ray_tasks, engine=RayEngine()).overall.mean_score == 1.0


def test_ray_engine_without_ray_or_cluster_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_ray(name: str, *args: object, **kwargs: object) -> object:
        if name == "ray":
            raise ImportError("No module named 'ray'")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(EngineError, match=r"pip install 'graderlib\[ray\]'"):
        list(RayEngine().map(str, [1]))


def _without_timings(document: dict[str, Any]) -> dict[str, Any]:
    """An ``inference_results.json`` less what differs between two runs of the same episodes."""
    timings = ("seconds", "agent_seconds", "env_seconds")
    rest = {k: v for k, v in document.items() if k not in ("run_id", "created", "seconds")}
    rest["results"] = [
        {k: v for k, v in r.items() if k not in timings} for r in document["results"]
    ]
    return rest


def _steps(path: Path) -> list[tuple[Any, ...]]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len({line["run"] for line in lines}) == 1  # one run, whichever worker wrote it
    # The observation's hash covers its random episode id: its public counters are compared.
    return [
        (r["episode"], r["step"], r["kind"], r["task_id"], r["reward"], r["score"],
         sorted((k, v) for k, v in r["observation"].items() if k != "sha256"))
        for r in lines
    ]  # fmt: skip


@pytest.mark.slow
def test_infer_on_ray_writes_the_results_of_a_local_run(
    local_ray: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import ray

    import graderlib
    from graderlib.cli import main
    from tests.env_support import FIXTURE_TASKS, REPO

    # The workers run the graderlib under test, not some other installed copy.
    where = ray.get(ray.remote(lambda: __import__("graderlib").__file__).remote())
    assert where == graderlib.__file__
    common = ["--tasks", str(FIXTURE_TASKS), "--episodes", "2", "--app-dir", str(REPO)]
    for agent in ("static", "oracle"):
        runs = {}
        for engine in ("local", "ray"):
            out, steps = tmp_path / f"{agent}-{engine}.json", tmp_path / f"{agent}-{engine}.jsonl"
            code = main(
                ["infer", "--agent", agent, *common, "--engine", engine, "--out", str(out),
                 "--trajectories", str(steps)]
            )  # fmt: skip
            assert code == 0, capsys.readouterr().err
            runs[engine] = (json.loads(out.read_text()), _steps(steps))
        (local, local_steps), (on_ray, ray_steps) = runs["local"], runs["ray"]
        assert _without_timings(on_ray) == _without_timings(local), agent
        assert [r["episode"] for r in on_ray["results"]] == list(range(6))
        assert on_ray["complete"] is True and on_ray["summary"]["errors"] == 0
        assert ray_steps == local_steps and len(ray_steps) > 6
    assert {(r["task"], r["score"]) for r in on_ray["results"]} >= {("env-ledger", 1.0)}


def test_infer_engine_options_that_do_not_fit_are_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from graderlib.cli import main

    out = tmp_path / "r.json"
    base = ["infer", "--agent", "static", "--out", str(out)]
    assert main([*base, "--engine", "ray", "--env-url", "http://127.0.0.1:1"]) == 2
    assert "use --concurrency instead" in capsys.readouterr().err
    assert main([*base, "--address", "auto"]) == 2
    assert "--address is for --engine ray" in capsys.readouterr().err
    assert main([*base, "--engine", "ray", "--jobs", "2"]) == 2
    assert "--jobs is for --engine local" in capsys.readouterr().err
    assert not out.exists()
