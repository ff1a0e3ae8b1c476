"""Fixtures shared by several test modules.

``corpus_server`` is one live server (real uvicorn) for the whole session, so that the modules
that only need *a* server on the corpus do not each pay its start-up (about half a minute on a
busy 2-core machine). It serves ``tasks/`` plus a disposable copy of the ``env-ledger`` fixture
task (``disposable-ledger``) that a test may damage; no other test uses that copy.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.env_support import CORPUS, FIXTURE_TASKS, Server, running_server

DISPOSABLE_TASK = "disposable-ledger"


@pytest.fixture(scope="session")
def corpus_server_tasks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tasks = tmp_path_factory.mktemp("corpus-server-tasks")
    shutil.copytree(CORPUS, tasks / "corpus")
    shutil.copytree(FIXTURE_TASKS / "env-ledger", tasks / "disposable" / DISPOSABLE_TASK)
    return tasks


@pytest.fixture(scope="session")
def corpus_server(
    corpus_server_tasks: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    with running_server(corpus_server_tasks, tmp_path_factory.mktemp("corpus-server")) as server:
        yield server
