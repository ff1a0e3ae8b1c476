import hashlib
import logging
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import (
        DuplicateUser,
        create_user,
        find_user,
        grant_roles,
        is_admin,
        open_store,
        store_token,
        token_digest,
    )


def test_create_and_find_names_with_quotes():
    conn = open_store()
    create_user(conn, "o'brien", "admin")
    user = find_user(conn, "o'brien")
    assert user.name == "o'brien"
    assert is_admin(find_user(conn, "".join(["o'", "brien"])))


def test_role_read_from_storage_is_compared_by_value():
    conn = open_store()
    create_user(conn, "ann", "".join(["ad", "min"]))
    assert is_admin(find_user(conn, "ann"))


def test_duplicate_and_missing():
    conn = open_store()
    create_user(conn, "ann")
    with pytest.raises(DuplicateUser):
        create_user(conn, "ann")
    with pytest.raises(KeyError):
        find_user(conn, "nobody")


def test_roles_do_not_leak_between_calls():
    conn = open_store()
    create_user(conn, "ann", "admin")
    create_user(conn, "bob", "member")
    assert grant_roles(find_user(conn, "ann")) == ["admin"]
    assert grant_roles(find_user(conn, "bob")) == ["member"]


def test_tokens_stored_as_sha256_and_never_logged(caplog):
    conn = open_store()
    user_id = create_user(conn, "ann")
    with caplog.at_level(logging.DEBUG):
        store_token(conn, user_id, "tok-secret-123", "ann's laptop")
    assert "tok-secret-123" not in caplog.text
    assert token_digest("x") == hashlib.sha256(b"x").hexdigest()
