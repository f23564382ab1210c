"""ArenaServer: the arena's sites on a free loopback port, with a private database that `reset()` renews."""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from mira.arena.app import make_app
from mira.arena.db import Database, fresh_db


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class ArenaServer:
    """One server per episode runner: its own port, its own state."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, serve: bool = True) -> None:
        """`serve=False` binds the port (so URLs are real) but answers no HTTP: the browserless mode calls
        the app in-process, and closing then costs nothing (a serving thread takes up to a poll to stop)."""
        self._host = host
        self.db: Database = fresh_db()
        self._httpd = make_server(host, port, self._app, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler)
        self._thread: threading.Thread | None = None
        if serve:
            self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="arena-server",
                                            daemon=True)
            self._thread.start()

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self._httpd.server_port}"

    def _app(self, environ: dict[str, Any], start_response: Any) -> Any:
        return make_app(self.db)(environ, start_response)

    def reset(self) -> Database:
        """Swap in a fresh copy of the initial state (the old one is closed)."""
        old, self.db = self.db, fresh_db()
        old.close()
        return self.db

    def close(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        self.db.close()

    def __enter__(self) -> ArenaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
