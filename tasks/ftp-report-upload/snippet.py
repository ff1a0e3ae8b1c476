import ftplib
import os
from pathlib import Path

PARTNER_HOST = os.environ.get("PARTNER_HOST", "files.partner.example")


def upload_reports(directory: Path, user: str, password: str) -> list[str]:
    uploaded: list[str] = []
    # expect: cleartext-protocol severity=medium id=plain-ftp
    with ftplib.FTP(PARTNER_HOST, timeout=30) as ftp:
        ftp.login(user, password)
        ftp.cwd("/incoming/finance")
        for report in sorted(directory.glob("*.csv")):
            with open(report, "rb") as handle:
                ftp.storbinary(f"STOR {report.name}", handle)
            uploaded.append(report.name)
    return uploaded


def main() -> None:
    names = upload_reports(Path("/var/reports/outbox"), os.environ["PARTNER_USER"],
                           os.environ["PARTNER_PASSWORD"])
    print(f"uploaded {len(names)} reports")
