"""The nightly report: one object per day in the bucket the job names."""
import datetime
import os

import boto3

day = datetime.date.today().isoformat()
boto3.client("s3").put_object(Bucket=os.environ["BUCKET"], Key=f"reports/{day}.txt",
                              Body=f"report of {day}\n".encode())
print("wrote", day)
