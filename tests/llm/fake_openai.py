"""A real OpenAI-compatible chat server on 127.0.0.1 for tests: canned replies, 429/500 on demand."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeOpenAI:
    """Serves POST /v1/chat/completions. `failures` is a list of status codes to answer first, in order;
    then each request gets the next of `replies` (the last one repeats)."""

    def __init__(self, replies: list[str], failures: list[int] | None = None) -> None:
        self.replies = replies
        self.failures = list(failures or [])
        self.requests: list[dict[str, Any]] = []
        """Each request: path, headers (lower-cased names) and JSON body."""
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                      "body": body})
                if fake.failures:
                    status = fake.failures.pop(0)
                    self._send(status, {"error": {"message": f"canned {status}"}}, retry_after=status == 429)
                    return
                n = sum(1 for r in fake.requests if r["path"].endswith("/chat/completions")) - 1
                text = fake.replies[min(n, len(fake.replies) - 1)]
                self._send(200, {"id": "x", "object": "chat.completion", "model": body["model"],
                                 "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                              "finish_reason": "stop"}],
                                 "usage": {"prompt_tokens": 100 + n, "completion_tokens": 7, "total_tokens": 107 + n}})

            def _send(self, status: int, data: dict[str, Any], retry_after: bool = False) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                if retry_after:
                    self.send_header("Retry-After", "0")
                self.end_headers()
                self.wfile.write(raw)

        return Handler


@contextmanager
def serving(replies: list[str], failures: list[int] | None = None) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(replies, failures)
    thread = threading.Thread(target=fake._server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake._server.shutdown()
        fake._server.server_close()
        thread.join(timeout=5)


def dead_url() -> str:
    """A loopback URL where nothing listens (a port bound then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"
