"""A stand-in API: /health for the load balancer, POST /orders onto the queue."""
import http.server
import json
import os

import boto3

sqs = boto3.client("sqs")


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def do_POST(self):
        if self.path != "/orders":
            self.send_response(404)
            self.end_headers()
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        sqs.send_message(QueueUrl=os.environ["ORDERS_URL"], MessageBody=body.decode())
        self.send_response(202)
        self.end_headers()
        self.wfile.write(json.dumps({"queued": True}).encode())


http.server.ThreadingHTTPServer(("", 8000), Handler).serve_forever()
