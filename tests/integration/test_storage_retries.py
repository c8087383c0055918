"""The storage clients retry 500/503 with back-off, and every attempt is counted."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from devhost.azurite import ACCOUNT, ACCOUNT_KEY
from shared.settings import Settings
from shared.storage.clients import Storage
from shared.storage.counting import RequestCounter


class FlakyTableService(BaseHTTPRequestHandler):
    """Answers 503, then 500, then a real entity: what a throttled or recovering service does."""

    statuses = [503, 500]
    seen = 0

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).seen += 1
        if self.statuses:
            self.send_response(self.statuses.pop(0))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"PartitionKey": "p", "RowKey": "r", "value": 7,
                           "odata.etag": "W/\"datetime'2026-01-01T00%3A00%3A00Z'\""}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json;odata=minimalmetadata")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def test_a_point_read_survives_a_503_and_a_500_and_each_attempt_is_counted():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FlakyTableService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        conn = (f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT};AccountKey={ACCOUNT_KEY};"
                f"TableEndpoint=http://127.0.0.1:{port}/{ACCOUNT};BlobEndpoint=http://127.0.0.1:{port}/{ACCOUNT};"
                f"QueueEndpoint=http://127.0.0.1:{port}/{ACCOUNT};")
        counter = RequestCounter()
        storage = Storage(Settings(AzureWebJobsStorage=conn, CUO_ENVIRONMENT="test", TOKEN_SIGNING_KEY="k" * 40),
                          counter)
        with counter.measure() as tally:
            entity = storage.table("pupils").get_entity("p", "r")
        assert entity["value"] == 7
        assert FlakyTableService.seen == 3
        assert tally.total == 3
    finally:
        server.shutdown()
