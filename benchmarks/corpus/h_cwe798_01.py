import boto3
from flask import Flask

app = Flask(__name__)
s3 = boto3.client(
    "s3",
    aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
    aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
)


@app.route("/buckets")
def buckets():
    return {"buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]]}
