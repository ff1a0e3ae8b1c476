import os
import stat

from snippet import pending_uploads, spool_upload


def test_spooled_file_is_not_world_writable_or_executable(tmp_path):
    path = spool_upload(b"payload", tmp_path)
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode & 0o002 == 0
    assert mode & 0o111 == 0
    assert pending_uploads(tmp_path) == [path]
