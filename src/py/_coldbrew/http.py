"""HTTP for http.client (and so urllib.request) without sockets.

WebAssembly has no sockets, so http.client's connections get a stand-in
socket (FetchSocket): http.client still formats the request and parses the
response exactly as usual, and the bytes in between travel through the host's
HTTP stack — fetch() in a Node worker thread, or XMLHttpRequest in a browser —
synchronously, so plain blocking code such as urllib.request.urlopen() works
in Coldbrew's synchronous mode. https:// is served the same way (the host does
TLS), so HTTPSConnection and urllib's HTTPSHandler exist although the ssl
module does not. cpython/lib-patches/0002 calls install() from http.client.
"""
import errno
import io
import socket

import Coldbrew
import _coldbrew


_RESPONSE_SKIP = {"content-encoding", "transfer-encoding", "content-length", "connection", "keep-alive"}


def _dechunk(body):
    out, rest = bytearray(), body
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2:]
    return bytes(out)


def _raise_for(error, url):
    code = error.get("code") or ""
    if code == "EINTR":   # Coldbrew.interrupt() while waiting for the response
        raise KeyboardInterrupt
    message = f"{error.get('message') or code} ({url})"
    if code == "ECONNREFUSED":
        raise ConnectionRefusedError(errno.ECONNREFUSED, message)
    if code == "ECONNRESET":
        raise ConnectionResetError(errno.ECONNRESET, message)
    if code in ("ENOTFOUND", "EAI_AGAIN", "EAI_NONAME"):
        raise socket.gaierror(socket.EAI_NONAME, message)
    if code in ("ETIMEDOUT", "TimeoutError", "UND_ERR_CONNECT_TIMEOUT"):
        raise TimeoutError(errno.ETIMEDOUT, message)
    raise OSError(errno.EIO, message)


class FetchSocket:
    """The socket of one http.client connection: collects what http.client
    sends; makefile() (called by getresponse) performs the request and returns
    the raw response for http.client to parse."""

    def __init__(self, scheme, host, port, timeout):
        self._scheme, self._host, self._port, self._timeout = scheme, host, port, timeout
        self._out = bytearray()
        self._response = None

    def sendall(self, data):
        self._out += data

    send = sendall

    def setsockopt(self, *args):
        pass

    def settimeout(self, timeout):
        self._timeout = timeout

    def close(self):
        pass

    def makefile(self, mode="rb", buffering=None):
        response, self._response = self._response, None
        return io.BytesIO(response if response is not None else self._exchange())

    def finish_request(self):
        """Performs the request now (from HTTPConnection.request), so that
        connection errors arise there, where urllib turns them into URLError."""
        self._response = self._exchange()

    def _url(self, target):
        if target.startswith(("http://", "https://")):
            return target   # a request through a proxy names the whole URL
        host = f"[{self._host}]" if ":" in self._host else self._host
        default = 443 if self._scheme == "https" else 80
        netloc = host if self._port in (None, default) else f"{host}:{self._port}"
        return f"{self._scheme}://{netloc}{target}"

    def _exchange(self):
        host = _coldbrew.host
        if host is None:
            raise OSError(errno.ENOSYS, "HTTP is not available: Coldbrew's JavaScript side did not register it")
        data = bytes(self._out)
        self._out.clear()
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("iso-8859-1").split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers, chunked = [], False
        for line in lines[1:]:
            # http.client lets a value through when its CR LF is followed by a
            # space or tab (obsolete line folding, RFC 9112 5.2): the host's
            # HTTP stack would then send the rest as a header of its own.
            if line[:1] in (" ", "\t") or "\r" in line or "\n" in line or "\0" in line:
                raise ValueError(f"Invalid header {line.strip()!r}: a header name or value may not "
                                 "contain CR, LF or NUL (folded header lines are not supported)")
            name, _, value = line.partition(":")
            name, value = name.strip(), value.strip()
            if name.lower() == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            # Hop-by-hop and host-owned headers are dropped by the JS side
            # (CB_HTTP_SKIP in src/js/http.js), the one list of them.
            headers.append([name, value])
        if chunked:
            body = _dechunk(body)
        url = self._url(target)
        timeout = self._timeout if isinstance(self._timeout, (int, float)) else 0
        reply = host.http_request(method, url, headers, body if body or method not in ("GET", "HEAD") else None,
                                  int(timeout * 1000))
        reply = Coldbrew._resolve(reply)   # a Promise in an async run inside an asyncio loop
        if reply.get("error"):
            _raise_for(reply["error"], url)
        payload = reply["body"]
        out = [f"HTTP/1.1 {reply['status']} {reply['statusText'] or 'Unknown'}\r\n"]
        for name, value in reply["headers"]:
            if name.lower() not in _RESPONSE_SKIP:
                out.append(f"{name}: {value}\r\n")
        out.append(f"Content-Length: {len(payload)}\r\n\r\n")
        return "".join(out).encode("iso-8859-1", "replace") + payload


def install(namespace):
    """Called at the end of http.client with its globals."""
    HTTPConnection = namespace["HTTPConnection"]

    def connect(self):
        self.sock = FetchSocket("http", self.host, self.port, self.timeout)

    HTTPConnection.connect = connect
    send_request = HTTPConnection.request

    def request(self, method, url, body=None, headers={}, *, encode_chunked=False):
        send_request(self, method, url, body, headers, encode_chunked=encode_chunked)
        if isinstance(self.sock, FetchSocket):
            self.sock.finish_request()

    request.__doc__ = send_request.__doc__
    HTTPConnection.request = request

    if "HTTPSConnection" not in namespace:   # the ssl module is not built
        class HTTPSConnection(HTTPConnection):
            """HTTPS through the host's HTTP stack (which does TLS)."""
            default_port = 443

            def __init__(self, host, port=None, *, timeout=socket._GLOBAL_DEFAULT_TIMEOUT,
                         source_address=None, context=None, blocksize=8192):
                super().__init__(host, port, timeout, source_address, blocksize)
                self._context = context

            def connect(self):
                self.sock = FetchSocket("https", self.host, self.port, self.timeout)

        HTTPSConnection.__module__ = "http.client"
        namespace["HTTPSConnection"] = HTTPSConnection
        namespace["__all__"].append("HTTPSConnection")
        namespace["_create_https_context"] = lambda http_version: None
