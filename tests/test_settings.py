"""Settings: every environment variable read in one place, validated, and documented once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graderlib import Settings, SettingsError
from graderlib.settings import VARIABLES

README = Path(__file__).resolve().parents[1] / "README.md"


def test_unset_or_empty_variables_mean_the_defaults() -> None:
    assert Settings.from_env({}) == Settings()
    assert Settings.from_env({"GRADERLIB_STEP_BUDGET": " ", "PORT": ""}) == Settings()


def test_every_variable_reaches_its_setting() -> None:
    settings = Settings.from_env(
        {
            "GRADERLIB_TASKS_DIR": "/srv/tasks",
            "GRADERLIB_STEP_BUDGET": "3",
            "MAX_CONCURRENT_ENVS": "2",
            "ENABLE_WEB_INTERFACE": "on",
            "GRADERLIB_GRADE_ROUTE": "False",
            "GRADERLIB_BANDIT_HELPER": "0",
            "GRADERLIB_TASK_ID_KEY": "k3y",
            "HOST": "0.0.0.0",
            "PORT": "9000",
            "WORKERS": "4",
            "UNRELATED": "ignored",
        }
    )
    assert settings.tasks_dir == Path("/srv/tasks")
    assert (settings.step_budget, settings.max_concurrent_envs) == (3, 2)
    assert settings.web_interface and not settings.grade_route and not settings.bandit_helper
    assert settings.task_id_key is not None and settings.task_id_key.get_secret_value() == "k3y"
    assert (settings.host, settings.port, settings.workers) == ("0.0.0.0", 9000, 4)
    assert "k3y" not in repr(settings) and "k3y" not in settings.model_dump_json()


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"GRADERLIB_STEP_BUDGET": "201"}, r"GRADERLIB_STEP_BUDGET='201': .*less than or equal"),
        ({"MAX_CONCURRENT_ENVS": "many"}, r"MAX_CONCURRENT_ENVS='many': .*valid integer"),
        ({"ENABLE_WEB_INTERFACE": "maybe"}, r"ENABLE_WEB_INTERFACE='maybe': .*valid boolean"),
        ({"PORT": "0", "WORKERS": "0"}, r"PORT='0': .*; WORKERS='0': "),
    ],
)
def test_a_bad_value_names_its_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(environ)


def _readme_table() -> dict[str, str]:
    """``variable -> default`` from the README's settings table."""
    rows = re.findall(r"^\| `([A-Z_]+)` \| ([^|]+) \|", README.read_text(), flags=re.MULTILINE)
    return {name: default.strip().strip("`") for name, default in rows}


def test_the_readme_table_is_the_settings() -> None:
    table = _readme_table()
    assert sorted(table) == sorted(VARIABLES.values())
    assert set(VARIABLES) == set(Settings.model_fields)
    for field, variable in VARIABLES.items():
        default = Settings.model_fields[field].default
        expected = "unset" if default is None else str(default).lower()
        assert table[variable] == expected, variable
