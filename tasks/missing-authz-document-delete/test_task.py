import pytest

from snippet import Document, DocumentService, Forbidden


def service():
    svc = DocumentService()
    svc.docs[1] = Document(1, "ann", "plan", {"bob"})
    return svc


def test_owner_deletes():
    svc = service()
    svc.delete("ann", 1)
    assert 1 not in svc.docs


@pytest.mark.parametrize("user", ["bob", "eve"])
def test_others_cannot_delete(user):
    svc = service()
    with pytest.raises(Forbidden):
        svc.delete(user, 1)
    assert 1 in svc.docs
