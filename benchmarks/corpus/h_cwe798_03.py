import os

import boto3
from flask import Flask

app = Flask(__name__)
s3 = boto3.client("s3")
BUCKET_SECRET_NAME = "prod/s3/reports"


@app.route("/buckets")
def buckets():
    return {"region": os.environ.get("AWS_REGION"), "secret": BUCKET_SECRET_NAME}
