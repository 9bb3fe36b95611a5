"""A stand-in worker: receives orders and deletes them once handled."""
import os

import boto3

sqs = boto3.client("sqs")
queue = os.environ["ORDERS_URL"]
while True:
    for message in sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=20).get("Messages", []):
        print("order", message["Body"], flush=True)
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
