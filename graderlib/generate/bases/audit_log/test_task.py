import gc
import hashlib
import json
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import AuditLog


def test_chain_uses_sha256_and_quotes_are_fine():
    log = AuditLog()
    head = log.append("o'neil", "login")
    payload = json.dumps({"action": "login", "actor": "o'neil"}, sort_keys=True)
    assert head == hashlib.sha256(("0" * 64 + payload).encode()).hexdigest()
    assert log.entries_for("o'neil") == [("login", head)]


def test_extra_fields_do_not_leak_between_entries():
    AuditLog().append("ann", "view")
    head = AuditLog().append("bob", "view")
    payload = json.dumps({"action": "view", "actor": "bob"}, sort_keys=True)
    assert head == hashlib.sha256(("0" * 64 + payload).encode()).hexdigest()


def test_deletions_counted_by_value():
    log = AuditLog()
    log.append("ann", "".join(["del", "ete"]))
    log.append("ann", "view")
    assert log.deletions() == 1


def test_export_closes_file(tmp_path):
    log = AuditLog()
    log.append("ann", "view")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert log.export_jsonl(tmp_path / "a.jsonl") == 1
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert json.loads((tmp_path / "a.jsonl").read_text())["actor"] == "ann"
