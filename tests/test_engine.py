"""Engines: the same results, in the same order, wherever the per-task work runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

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
