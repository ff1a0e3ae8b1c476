import mimetypes
import os

UPLOAD_ROOT = "/srv/tickets/attachments"


class NotFound(Exception):
    pass


def attachment_path(ticket_id: int, filename: str, root: str = UPLOAD_ROOT) -> str:
    # expect: path-traversal severity=high id=join-filename
    return os.path.join(root, str(ticket_id), filename)


def download_attachment(ticket_id: int, filename: str, root: str = UPLOAD_ROOT) -> tuple[bytes, str]:
    path = attachment_path(ticket_id, filename, root)
    if not os.path.isfile(path):
        raise NotFound(filename)
    content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
    with open(path, "rb") as handle:
        return handle.read(), content_type
