import ssl

from snippet import make_context


def test_context_verifies_certificates_and_hostnames():
    context = make_context()
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
