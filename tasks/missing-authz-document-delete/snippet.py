from dataclasses import dataclass, field


class NotFound(Exception):
    pass


class Forbidden(Exception):
    pass


@dataclass
class Document:
    id: int
    owner: str
    title: str
    shared_with: set[str] = field(default_factory=set)


class DocumentService:
    def __init__(self) -> None:
        self.docs: dict[int, Document] = {}

    def read(self, user: str, doc_id: int) -> Document:
        doc = self.docs.get(doc_id)
        if doc is None:
            raise NotFound(doc_id)
        if user != doc.owner and user not in doc.shared_with:
            raise Forbidden(doc_id)
        return doc

    # expect: missing-authorization severity=high id=delete-any
    def delete(self, user: str, doc_id: int) -> None:
        if doc_id not in self.docs:
            raise NotFound(doc_id)
        del self.docs[doc_id]
