import subprocess

from fastapi import FastAPI

app = FastAPI()


@app.post("/backups")
def backup(directory: str):
    archive = "/tmp/backup.tgz"
    subprocess.check_output(["bash", "-c", "tar czf " + archive + " " + directory])
    return {"archive": archive}
