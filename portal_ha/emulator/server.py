"""The emulator's HTTP server: moto's application, answering every request it executes exactly once.

moto's own server (werkzeug's development server) writes a response in two sends, the status line and
headers first, then the body, and closes the connection after every response. Measured against the AWS
provider (terraform-provider-aws 5.100.0, aws-sdk-go-v2): now and then the provider closes a connection after
reading only the headers (the kernel then sends a TCP RST because the body is still unread), and its SDK
sends the identical request again, with the same ``amz-sdk-invocation-id`` and ``amz-sdk-request:
attempt=2``. moto had executed the first attempt and answered 200; for a call without an idempotency token
(``CreateNetworkAclEntry``, ``AuthorizeSecurityGroupIngress``, ...) the second delivery is a second create,
which fails with ``NetworkAclEntryAlreadyExists`` or ``InvalidPermission.Duplicate`` and fails the deploy.

Two remedies, both here:

- ``ReplayResends``: a re-sent attempt of an invocation that already succeeded is answered with the recorded
  answer of that success instead of being executed again (waiting for it if it is still running). Only
  successes are replayed: the SDK retries an error answer on purpose (throttling, 5xx), and a failed AWS call
  changes nothing, so an error is executed again, as AWS would. A re-send whose method, path or body differ
  from the recorded attempt is executed normally.
- ``OneWriteRequestHandler``: status line, headers and body leave in a single ``sendall``, so no client ever
  sees the headers of a response without its body.

Neither changes what any AWS API answers: they make the transport deliver each request once, which is what
the SDK's retry assumes of a server that did receive it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .lifecycle import EXTENSIONS_PATH

LOG = logging.getLogger("portal_ha.emulator")

INVOCATION_HEADER = "HTTP_AMZ_SDK_INVOCATION_ID"
ATTEMPT_HEADER = "HTTP_AMZ_SDK_REQUEST"
# How long a recorded answer is kept: the SDK's retries of one call end well within this (25 attempts,
# backoff capped at 20 s).
REPLAY_WINDOW_SECONDS = 900.0
MAX_RECORDED = 20_000
# How long a re-send waits for its first attempt, if that one is still being executed.
WAIT_FOR_FIRST_SECONDS = 120.0
# The largest response sent in one write; moto's answers to this project's calls are a few KiB.
SEND_BUFFER_BYTES = 8 * 1024 * 1024

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def attempt_number(header: str | None) -> int:
    """The attempt in ``amz-sdk-request: attempt=2; max=25``; 1 when absent or unreadable."""
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == "attempt" and value.isdigit():
            return int(value)
    return 1


@dataclass
class _Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class _Call:
    """One SDK invocation: what its attempt asked and, once executed, what it was answered."""

    fingerprint: str
    recorded_at: float
    done: threading.Event = field(default_factory=threading.Event)
    answer: _Answer | None = None

    @property
    def succeeded(self) -> bool:
        return self.answer is not None and self.answer.status[:1] == "2"


def _read_body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body: bytes = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _fingerprint(environ: dict[str, Any], body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""),
                 environ.get("HTTP_HOST", "")):
        digest.update(part.encode("latin-1", "replace") + b"\0")
    digest.update(body)
    return digest.hexdigest()


class ReplayResends:
    """WSGI middleware: execute each SDK invocation once; answer its re-sends from the recorded success."""

    def __init__(self, app: WsgiApp, *, window_seconds: float = REPLAY_WINDOW_SECONDS,
                 max_recorded: int = MAX_RECORDED, clock: Callable[[], float] = time.monotonic) -> None:
        self._app = app
        self._window = window_seconds
        self._max = max_recorded
        self._clock = clock
        self._lock = threading.Lock()
        self._calls: OrderedDict[str, _Call] = OrderedDict()
        self.replayed = 0
        """Re-sends answered from a recorded success (for tests and the server's log)."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        body = _read_body(environ)
        invocation = environ.get(INVOCATION_HEADER)
        if not invocation:
            return self._execute(environ, start_response, None)
        fingerprint = _fingerprint(environ, body)
        attempt = attempt_number(environ.get(ATTEMPT_HEADER))
        with self._lock:
            self._forget_old()
            earlier = self._calls.get(invocation)
            if attempt == 1 or earlier is None or earlier.fingerprint != fingerprint:
                call = self._record(invocation, fingerprint)
                earlier = None
        if earlier is not None:
            if not earlier.done.wait(WAIT_FOR_FIRST_SECONDS):
                LOG.warning("re-send %s (attempt %d) still waits for its first attempt: executing it", invocation,
                            attempt)
            if earlier.succeeded and earlier.answer is not None:
                self.replayed += 1
                LOG.info("re-send of invocation %s (attempt %d) answered from its recorded success, not executed "
                         "again", invocation, attempt)
                start_response(earlier.answer.status, list(earlier.answer.headers))
                return [earlier.answer.body]
            with self._lock:
                call = self._record(invocation, fingerprint)
        return self._execute(environ, start_response, call)

    def _record(self, invocation: str, fingerprint: str) -> _Call:
        call = _Call(fingerprint=fingerprint, recorded_at=self._clock())
        self._calls[invocation] = call
        self._calls.move_to_end(invocation)
        while len(self._calls) > self._max:
            self._calls.popitem(last=False)
        return call

    def _forget_old(self) -> None:
        horizon = self._clock() - self._window
        while self._calls:
            oldest = next(iter(self._calls.values()))
            if oldest.recorded_at >= horizon:
                break
            self._calls.popitem(last=False)

    def _execute(self, environ: dict[str, Any], start_response: StartResponse, call: _Call | None) -> list[bytes]:
        """Run moto and hand on its whole answer as one body with its Content-Length (one write downstream)."""
        captured: dict[str, Any] = {}
        written: list[bytes] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], Any]:
            captured["status"], captured["headers"] = status, headers
            return written.append

        try:
            result = self._app(environ, capture)
            try:
                body = b"".join(written) + b"".join(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except BaseException:
            if call is not None:
                call.done.set()  # a re-send waiting on this attempt executes on its own
            raise
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(body))))
        answer = _Answer(captured["status"], headers, body)
        if call is not None:
            call.answer = answer
            call.done.set()
        start_response(answer.status, list(answer.headers))
        return [answer.body]


def one_write_handler() -> type:
    """moto's request handler with a buffered writer: a response (under ``SEND_BUFFER_BYTES``) is one send."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class OneWriteRequestHandler(MotoRequestHandler):
        wbufsize = SEND_BUFFER_BYTES

    return OneWriteRequestHandler


class AfterExtensions:
    """Loads this project's extensions of moto in the background while the server already listens: moto's own
    API (``/moto-api/``, the liveness probe) answers at once, ``EXTENSIONS_PATH`` once they are in, and every AWS
    request waits until they are, so none is ever served by plain moto. (Loading them imports the moto services
    the stacks use, about 0.7 s that moto would otherwise spend on the first request to each service, and that
    overlaps the synth of ``portal-ha up``.)"""

    def __init__(self, app: WsgiApp, load: Callable[[], None]) -> None:
        self._app = app
        self._loaded = threading.Event()
        self._failure: BaseException | None = None
        threading.Thread(target=self._load, args=(load,), name="extensions", daemon=True).start()

    def _load(self, load: Callable[[], None]) -> None:
        try:
            load()
        except BaseException as exc:  # a request then fails loudly instead of reaching plain moto
            self._failure = exc
            LOG.exception("the emulator's extensions of moto failed to load")
        finally:
            self._loaded.set()

    def wait(self) -> None:
        self._loaded.wait()
        if self._failure is not None:
            raise RuntimeError("the emulator's extensions of moto failed to load") from self._failure

    def failure(self) -> str | None:
        """Wait for the extensions; why they failed to load, or None."""
        self._loaded.wait()
        if self._failure is None:
            return None
        return f"the emulator's extensions of moto failed to load: {self._failure}"

    def _answer_loaded(self, start_response: StartResponse) -> Iterable[bytes]:
        failure = self.failure()
        status, text = ("200 OK", "extensions loaded") if failure is None else ("503 Service Unavailable", failure)
        body = text.encode()
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        if path == EXTENSIONS_PATH:
            return self._answer_loaded(start_response)
        if not path.startswith("/moto-api/"):
            self.wait()
        return self._app(environ, start_response)


def make_app(*, extended: bool = True) -> WsgiApp:
    """moto's application behind ``ReplayResends``; ``extended`` applies this project's extensions of moto for
    good (the emulator process does; tests that compare with plain moto pass False)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    app: WsgiApp = ReplayResends(DomainDispatcherApplication(create_backend_app))
    if extended:
        from . import extensions

        app = AfterExtensions(app, extensions.apply)
    return app


def make_server(host: str, port: int, *, extended: bool = True) -> Any:
    """The emulator's threaded WSGI server on ``host:port`` (not yet serving): one thread per request."""
    from werkzeug.serving import make_server as werkzeug_server

    return werkzeug_server(host, port, make_app(extended=extended), threaded=True, request_handler=one_write_handler())


def serve(host: str, port: int) -> None:
    """Serve the emulator until SIGTERM or SIGINT, if the installed moto is one it runs on (``requirements``:
    another minor version is refused, exit 2; another patch release is a warning in the log)."""
    import signal

    from .requirements import EmulatorUnavailable, require

    try:
        warning = require()
    except EmulatorUnavailable as exc:
        LOG.error("%s", exc)
        sys.exit(2)
    if warning is not None:
        LOG.warning("%s", warning)
    server = make_server(host, port)

    def stop(signum: int, frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """``python -m portal_ha.emulator.server -H HOST -p PORT``."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    serve(args.host, args.port)


if __name__ == "__main__":
    main()
