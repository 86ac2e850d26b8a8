"""A local RFC 3161 time-stamping authority for tests (of this library and of the services
sealing documents): a test time stamper with its own RSA key, behind a small HTTP endpoint
served from a thread. Never for production: anyone can ask it for any time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

from asn1crypto import cms, core, keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

# What the authority does with a request: answer it, fail with HTTP 500, or answer 200
# with bytes that are no time-stamp response.
Behaviour = Literal["stamp", "error", "garbage"]

_PATH = "/tsa"
# An RFC 3161 query is a few hundred bytes: a larger body is no query.
_MAX_REQUEST = 64 * 1024


@cache
def _authority_identity() -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
    # The test time stamper signs with RSA only; one key a process, as a 2048-bit key
    # takes a tenth of a second to make.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Portico test time stamping")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        # RFC 3161 §2.3: a TSA's certificate has only this purpose, marked critical.
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate, key


class _QuickTimeStamper(DummyTimeStamper):
    """The test time stamper, signing with the key object made once: it would parse its
    RSA key again for every token, which (the key's consistency check) takes 30 ms."""

    def __init__(self, certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
        super().__init__(
            tsa_cert=asn1_x509.Certificate.load(
                certificate.public_bytes(serialization.Encoding.DER)
            ),
            tsa_key=keys.PrivateKeyInfo.load(
                key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
        )
        self._key = key

    def _sign_tst_info(
        self, tst_info_data: bytes, md_algorithm: str, dt: datetime
    ) -> tuple[bytes, cms.CMSAttributes]:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
        )
        return signature, signed_attrs


class LocalTimestampAuthority:
    """An RFC 3161 endpoint on 127.0.0.1 (a free port), served from a daemon thread.
    ``behaviour`` may change while it runs (an authority that fails, then recovers);
    ``requests`` counts the requests received, answered or not."""

    def __init__(self, behaviour: Behaviour = "stamp") -> None:
        certificate, key = _authority_identity()
        self.certificate: x509.Certificate = certificate
        self.behaviour: Behaviour = behaviour
        self.requests = 0
        self._lock = threading.Lock()
        self._stamper = _QuickTimeStamper(certificate, key)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll: stopping waits for the server loop's next look.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="local-tsa", daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{_PATH}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _count(self) -> Behaviour:
        with self._lock:
            self.requests += 1
            return self.behaviour

    def _answer(self, behaviour: Behaviour, body: bytes) -> tuple[int, str, bytes]:
        if behaviour == "error":
            return 500, "text/plain", b"time stamping is down"
        if behaviour == "garbage":
            return 200, "application/timestamp-reply", b"\x30\x03not a response"
        try:
            request = tsp.TimeStampReq.load(body)
            response = self._stamper.request_tsa_response(request)
        except ValueError:
            return 400, "text/plain", b"not an RFC 3161 request"
        return 200, "application/timestamp-reply", response.dump()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        authority = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                behaviour = authority._count()
                length = int(self.headers.get("Content-Length") or 0)
                if length > _MAX_REQUEST:
                    status, kind, answer = 413, "text/plain", b"too large"
                else:
                    body = self.rfile.read(length)
                    if self.path != _PATH:
                        status, kind, answer = 404, "text/plain", b"no authority here"
                    else:
                        status, kind, answer = authority._answer(behaviour, body)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                # A test's output is not the place for an access log.
                pass

        return Handler


@contextmanager
def local_tsa(behaviour: Behaviour = "stamp") -> Iterator[str]:
    """The URL of a local time-stamping authority running for the block. ``"error"``
    makes every request fail with HTTP 500, ``"garbage"`` answers bytes that are no
    time-stamp response; use ``running_tsa`` to change that while it runs."""
    with running_tsa(behaviour) as authority:
        yield authority.url


@contextmanager
def running_tsa(behaviour: Behaviour = "stamp") -> Iterator[LocalTimestampAuthority]:
    """A local time-stamping authority running for the block: its ``url``,
    ``behaviour`` (settable), ``requests`` and ``certificate``."""
    authority = LocalTimestampAuthority(behaviour)
    authority.start()
    try:
        yield authority
    finally:
        authority.stop()
