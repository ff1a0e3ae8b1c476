import gc
import warnings
import zipfile

import pytest

from snippet import BundleError, install


def make_bundle(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_installs_a_theme_and_closes_the_bundle(tmp_path):
    bundle = make_bundle(tmp_path / "night-sky.zip", {"css/site.css": "body{}", "index.html": "<p>"})
    themes = tmp_path / "themes"
    themes.mkdir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        theme = install(bundle, themes)
        gc.collect()
    assert sorted(theme.files) == ["css/site.css", "index.html"]
    assert (themes / "night-sky" / "css" / "site.css").read_text() == "body{}"
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_members_cannot_escape(tmp_path):
    themes = tmp_path / "themes"
    themes.mkdir()
    bundle = make_bundle(tmp_path / "evil.zip", {"../../escaped.js": "alert(1)"})
    with pytest.raises(BundleError):
        install(bundle, themes)
    assert not list(tmp_path.rglob("escaped.js"))
