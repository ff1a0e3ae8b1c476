import shlex
import subprocess
import tempfile
from pathlib import Path

from fastapi import FastAPI, Form
from fastapi.responses import FileResponse

app = FastAPI()


def build_pdf_command(title: str, source: Path, output: Path) -> str:
    return "pandoc {src} --metadata title={title} -o {out}".format(
        src=shlex.quote(str(source)),
        title=shlex.quote(title),
        out=shlex.quote(str(output)),
    )


@app.post("/render/pdf")
async def render_pdf(title: str = Form(...), markdown: str = Form(...)):
    workdir = Path(tempfile.mkdtemp(prefix="render-"))
    source = workdir / "doc.md"
    output = workdir / "doc.pdf"
    source.write_text(markdown, encoding="utf-8")

    subprocess.run(build_pdf_command(title, source, output), shell=True, check=True, timeout=60)
    return FileResponse(output, media_type="application/pdf", filename="document.pdf")
