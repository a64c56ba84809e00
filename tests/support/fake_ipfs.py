"""A loopback stand-in for what no real part here can be: an IPFS Pinning Service (no implementation of that API
installs offline) and a Kubo daemon that lies about CIDs (no honest node does). Everything else runs against a
real js-ipfs node (tests/support/ipfs_node.py).

Kubo RPC: multipart `POST /api/v0/add?cid-version=1`, `POST /api/v0/block/put`, `POST /api/v0/pin/add?arg=`,
`POST /api/v0/block/get?arg=`. Pinning Service API: `POST /pins` with a bearer token, answering 202 with a
PinStatus object.
"""

from __future__ import annotations

import base64
import email.policy
import hashlib
import json
import threading
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def cid_of(data: bytes) -> str:
    """CIDv1, raw codec (0x55), sha2-256 multihash, multibase base32 lower ('b')."""
    multihash = bytes([0x12, 0x20]) + hashlib.sha256(data).digest()
    return "b" + base64.b32encode(bytes([0x01, 0x55]) + multihash).decode().lower().rstrip("=")


class FakeIpfs:
    """Start with ``with FakeIpfs() as node:``; flip ``node.lie`` to answer other CIDs and bytes."""

    def __init__(self, token: str = "secret-token"):
        self.token = token
        self.lie = False  # answer a CID other than the bytes' own
        self.blocks: dict[str, bytes] = {}
        self.pins: set[str] = set()
        self.requests: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _file(self) -> bytes:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length)
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=email.policy.HTTP).parsebytes(head + raw)
                part = next(iter(message.iter_parts()))
                return part.get_content() if part.get_content_maintype() != "text" else part.get_content().encode()

            def do_POST(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query)
                fake.requests.append(url.path)
                if url.path in ("/api/v0/add", "/api/v0/block/put"):
                    data = self._file()
                    cid = cid_of(data) if not fake.lie else cid_of(data + b"!")
                    fake.blocks[cid] = data
                    key = "Hash" if url.path.endswith("add") else "Key"
                    self._reply(200, {"Name": "file", key: cid, "Size": str(len(data))})
                elif url.path == "/api/v0/block/get":
                    data = fake.blocks.get(query["arg"][0], b"") + (b"!" if fake.lie else b"")
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                elif url.path == "/api/v0/pin/add":
                    cid = query["arg"][0]
                    if cid not in fake.blocks:
                        self._reply(500, {"Message": f"block {cid} not found", "Code": 0, "Type": "error"})
                        return
                    fake.pins.add(cid)
                    self._reply(200, {"Pins": [cid]})
                elif url.path == "/pins":
                    if self.headers.get("Authorization") != f"Bearer {fake.token}":
                        self._reply(401, {"error": {"reason": "UNAUTHORIZED"}})
                        return
                    body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                    cid = body["cid"] if not fake.lie else body["cid"][:-1] + "a"
                    fake.pins.add(cid)
                    self._reply(202, {"requestid": f"req-{len(fake.pins)}", "status": "queued",
                                      "created": "2026-11-24T00:00:00Z", "pin": {"cid": cid, "name": body.get("name")},
                                      "delegates": []})
                else:
                    self._reply(404, {"Message": "not found"})

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeIpfs:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
