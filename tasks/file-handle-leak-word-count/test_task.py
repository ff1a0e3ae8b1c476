import gc
import warnings

from snippet import count_tree


def test_counts_and_closes_files(tmp_path):
    (tmp_path / "a.txt").write_text("the cat the hat\n")
    (tmp_path / "b.txt").write_text("The end\n")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        counts = count_tree(tmp_path)
        gc.collect()
    assert counts["the"] == 3
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
