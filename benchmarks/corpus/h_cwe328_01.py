import hashlib

from django.contrib.auth.hashers import BasePasswordHasher


class LegacyHasher(BasePasswordHasher):
    algorithm = "legacy_md5"

    def encode(self, password, salt):
        return "%s$%s$%s" % (self.algorithm, salt, hashlib.md5((salt + password).encode()).hexdigest())
