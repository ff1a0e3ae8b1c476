import argparse
import os
import subprocess
from pathlib import Path

EXPORT_DIR = Path(os.environ.get("INVOICE_EXPORT_DIR", "/var/billing/exports"))


def page_count(pdf: Path) -> int:
    # ok: command-injection
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True,
                         timeout=30).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split(":", 1)[1])
    return 0


def html_path(invoice_id: int, work_dir: Path) -> Path:
    return work_dir / f"invoice-{invoice_id}.html"


def pdf_path(customer: str, invoice_id: int, export_dir: Path = EXPORT_DIR) -> Path:
    # expect: path-traversal severity=high id=customer-in-path
    return export_dir / customer / f"{invoice_id}.pdf"


def render_pdf(source: Path, target: Path, title: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # expect: command-injection severity=critical id=os-system-title
    status = os.system(f'wkhtmltopdf --title "{title}" {source} {target}')
    if status != 0:
        raise RuntimeError(f"converter failed with status {status}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("invoice_id", type=int)
    parser.add_argument("customer")
    parser.add_argument("--title", default="Invoice")
    parser.add_argument("--work-dir", type=Path, default=Path("/var/billing/work"))
    args = parser.parse_args(argv)
    target = pdf_path(args.customer, args.invoice_id)
    render_pdf(html_path(args.invoice_id, args.work_dir), target, args.title)
    print(target)
