import hashlib

from snippet import change_password, hash_password, verify_password


def test_verify_round_trip():
    stored = hash_password("correct horse battery")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("wrong", stored)


def test_not_a_fast_md5_digest():
    salt = bytes(16)
    stored = hash_password("hunter2hunter2", salt)
    digest = stored.partition("$")[2]
    assert digest != hashlib.md5(salt + b"hunter2hunter2").hexdigest()
    assert digest != hashlib.sha256(salt + b"hunter2hunter2").hexdigest()


def test_change_password():
    users = {"ann": hash_password("old password 1")}
    assert change_password(users, "ann", "old password 1", "new password 12")
    assert verify_password("new password 12", users["ann"])
