"""The ways an exchanger answer gets mangled, applied to the seeds of tests/fuzz/seeds.py.

A mutation recipe is drawn once per example and applied to every method's seed, so each method
gets its own mutated body from the same recipe: JSON-level changes (keys dropped, values of
another type, huge, negative, NaN, nested thousands deep), then byte-level ones (truncated, BOM,
a PHP notice in front, an HTML error page, another encoding), then HTTP-level ones (status, a
Content-Encoding the body does not have, the connection dropped mid-body, a transport error).
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import strategies as st

from tests.fuzz.seeds import SEEDS, Json

ANTI_DDOS_PAGE = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>"
    b"<noscript>Enable JavaScript and cookies to continue</noscript></body></html>"
)
BAD_GATEWAY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
PHP_NOTICE = (
    b"<br />\n<b>Notice</b>:  Undefined index: x in <b>/var/www/wp-content/plugins/a.php</b>"
    b" on line <b>1</b><br />\n"
)
PHP_FATAL = b"<br />\n<b>Fatal error</b>:  Allowed memory size exhausted in <b>/a.php</b><br />"

WEIRD_VALUES: list[Json] = [
    None, "", " ", "no", "No", "0", 0, -1, 1, "1", "-5", -5.5, "-0", 0.1, 1e308, -1e308, 5e-324,
    2**63, -(2**63), 10**30, 10**300, "1e999999", "-1e-999999", "1E+2", "NaN", "nan", "sNaN",
    "Infinity", "-Infinity", "inf", math.nan, math.inf, -math.inf, True, False, [], {}, [1, 2],
    {"a": 1}, ["x"], [[[]]], {"0": "x"}, "١٢٣", "１２３", "x" * 1000, "9" * 500, "<b>", "</code>",
    "&amp;", "0x10", " 5 ", "1,5", "1 000,50", "5000.00000000000000000000000001", "\u0000",
    "\ud800", "\udfff", "a\u202eb", "💱", "\u200b", "null", "true", "[]", "{}", "0.0.0", "--1",
    "https://ex.test/", "javascript:alert(1)", "tg://resolve?domain=x",
]  # fmt: skip
_KEY_NAMES = ["error", "data", "items", "id", "status", "", "ERROR", "__proto__", "x" * 300]


def _weird() -> st.SearchStrategy[Json]:
    """A value of any JSON type; containers come from the list above and from the edits that
    wrap and nest what is there."""
    scalar = st.one_of(
        st.sampled_from(WEIRD_VALUES),
        st.integers(),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
        # "\ud83d" alone is valid JSON (an escape) but no text: it cannot be encoded again.
        st.text(st.characters(categories=["Cs", "Lu"]), min_size=1, max_size=4),
    )
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=3),
        st.dictionaries(st.sampled_from(_KEY_NAMES), scalar, max_size=3),
    )


@dataclass(frozen=True)
class JsonEdit:
    """One change at the node `where` (taken modulo the number of nodes of the body)."""

    kind: str
    where: int
    value: Json = None


@dataclass(frozen=True)
class Recipe:
    """How one example mangles every method's answer."""

    seed: int
    edits: tuple[JsonEdit, ...]
    dump: str
    byte_edit: str
    byte_at: int
    status: int
    encoding: str | None
    transport: str
    extra: dict[str, Any] = field(default_factory=dict)


_JSON_EDITS = [
    "drop", "replace", "retype", "nest", "add_key", "rename", "grow", "wrap", "as_list",
    "in_list",
]  # fmt: skip
_BYTE_EDITS = [
    "truncate", "bom", "php_notice", "php_fatal", "html_page",
    "anti_ddos", "empty", "whitespace", "null", "trailing_garbage", "utf16", "latin1",
    "invalid_utf8", "duplicate_error_key", "deep_brackets", "nul_inside", "json_string",
]  # fmt: skip
_STATUSES = [200] * 4 + [201, 204, 301, 302, 400, 403, 404, 429, 500, 502, 503, 504]
_ENCODINGS = [None] * 4 + ["gzip", "deflate", "br", "zstd", "compress", "identity", "gzip, br"]
_TRANSPORTS = ["ok"] * 4 + [
    "connect_error", "connect_timeout", "read_timeout", "pool_timeout", "read_error",
    "remote_protocol_error", "write_error", "dropped_mid_body", "proxy_error",
]  # fmt: skip


@st.composite
def recipes(draw: st.DrawFn) -> Recipe:
    """Mostly JSON that parses but does not fit (the models' work), the rest broken bytes or a
    broken HTTP exchange (the transport's): a broken layer hides the layers above it, so each
    example breaks one of them."""
    layer = draw(st.sampled_from(["json"] * 6 + ["bytes"] * 2 + ["http"] * 2))
    edit = st.builds(
        JsonEdit, kind=st.sampled_from(_JSON_EDITS), where=st.integers(0, 10_000), value=_weird()
    )
    edits = draw(st.lists(edit, min_size=1 if layer == "json" else 0, max_size=4))
    byte_edit, status, encoding, transport = "none", 200, None, "ok"
    if layer == "bytes":
        byte_edit = draw(st.sampled_from(_BYTE_EDITS))
    elif layer == "http":
        status = draw(st.sampled_from(_STATUSES))
        encoding = draw(st.sampled_from(_ENCODINGS))
        transport = draw(st.sampled_from(_TRANSPORTS))
    return Recipe(
        seed=draw(st.integers(0, 100)),
        edits=tuple(edits),
        dump=draw(st.sampled_from(["json", "ascii", "php_slashes", "indent"])),
        byte_edit=byte_edit,
        byte_at=draw(st.integers(0, 10_000)),
        status=status,
        encoding=encoding,
        transport=transport,
        extra={"depth": draw(st.sampled_from([3, 50, 500, 5_000, 100_000]))},
    )


# --- applying a recipe -------------------------------------------------------------------------


def _slots(node: Json) -> list[tuple[Json, Any]]:
    """Every (container, key) of the document, the root included as (holder, "root")."""
    found: list[tuple[Json, Any]] = []
    stack: list[Json] = [node]
    while stack:
        container = stack.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in list(keys):
            found.append((container, key))
            if isinstance(container[key], dict | list) and container[key]:
                stack.append(container[key])
    return found


def _retype(value: Json, choice: int) -> Json:
    """The same value as another JSON type, as PHP sometimes gives it."""
    converted: list[Callable[[Json], Json]] = [
        lambda v: str(v) if not isinstance(v, dict | list) else json.dumps(v),
        lambda v: int(v) if isinstance(v, bool | int) else (len(v) if hasattr(v, "__len__") else 0),
        lambda v: float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.5,
        lambda v: [v],
        lambda v: {"0": v},
        lambda v: None,
        lambda v: bool(v),
    ]
    return converted[choice % len(converted)](value)


_NEST_MARK = "__fuzz_nested_{}__"
_CONTAINER_EDITS = frozenset({"add_key", "wrap", "as_list", "in_list"})


def _apply_edit(
    holder: dict[str, Json], edit: JsonEdit, depth: int, nested: dict[str, Json]
) -> None:
    slots = _slots(holder)
    if edit.kind in _CONTAINER_EDITS:
        # Type confusion of objects and lists is where the models work hardest: aim at them.
        slots = [slot for slot in slots if isinstance(slot[0][slot[1]], dict | list)] or slots
    container, key = slots[edit.where % len(slots)]
    if edit.kind == "drop" and key != "root":
        if isinstance(container, dict):
            del container[key]
        else:
            container.pop(key)
    elif edit.kind == "replace":
        container[key] = copy.deepcopy(edit.value)
    elif edit.kind == "retype":
        container[key] = _retype(container[key], edit.where)
    elif edit.kind == "nest":
        # Written into the text after dumping: json.dumps itself cannot go thousands deep.
        mark = _NEST_MARK.format(len(nested))
        nested[mark] = container[key]
        container[key] = mark
    elif edit.kind == "add_key" and isinstance(container[key], dict):
        name = _KEY_NAMES[edit.where % len(_KEY_NAMES)]
        container[key][name] = copy.deepcopy(edit.value)
    elif edit.kind == "rename" and isinstance(container, dict) and key != "root":
        container[str(key).upper() if edit.where % 2 else f" {key}"] = container.pop(key)
    elif edit.kind == "grow":
        value = container[key]
        if isinstance(value, list):
            container[key] = (value * math.ceil(300 / max(1, len(value))))[:300]
        elif isinstance(value, str):
            container[key] = (value * math.ceil(20_000 / max(1, len(value))))[:20_000]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            container[key] = value * 10**40 - 1
    elif edit.kind == "as_list" and isinstance(container[key], dict):
        # PHP's other encoding of the same array: an object's values as a JSON list.
        container[key] = list(container[key].values())
    elif edit.kind == "in_list" and isinstance(container[key], dict | list):
        container[key] = [copy.deepcopy(edit.value)]
    elif edit.kind == "wrap":
        container[key] = {"items": container[key]} if edit.where % 2 else [container[key]]


def _dump(document: Json, how: str, nested: dict[str, Json], depth: int) -> bytes:
    def dumps(value: Json) -> str:
        if how == "ascii":
            return json.dumps(value, ensure_ascii=True)
        if how == "indent":
            return json.dumps(value, ensure_ascii=False, indent=1)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    text = dumps(document)
    for mark, value in reversed(nested.items()):
        text = text.replace(json.dumps(mark), "[" * depth + dumps(value) + "]" * depth)
    if how == "php_slashes":
        text = text.replace("/", "\\/")
    return text.encode("utf-8", "surrogatepass")


def _edit_bytes(body: bytes, how: str, at: int, depth: int) -> bytes:
    edits: dict[str, Callable[[], bytes]] = {
        "none": lambda: body,
        "truncate": lambda: body[: at % max(1, len(body))],
        "bom": lambda: b"\xef\xbb\xbf" + body,
        "php_notice": lambda: PHP_NOTICE + body,
        "php_fatal": lambda: body[: at % max(1, len(body))] + PHP_FATAL,
        "html_page": lambda: BAD_GATEWAY_PAGE,
        "anti_ddos": lambda: ANTI_DDOS_PAGE,
        "empty": lambda: b"",
        "whitespace": lambda: b" \r\n\t ",
        "null": lambda: b"null",
        "trailing_garbage": lambda: body + b"\n<!-- page generated in 0.1 s -->",
        "utf16": lambda: body.decode("utf-8", "surrogatepass").encode("utf-16", "surrogatepass"),
        "latin1": lambda: body.decode("utf-8", "replace").encode("latin-1", "replace"),
        "invalid_utf8": lambda: body.replace(b'"', b'"\xff\xfe', 1),
        "duplicate_error_key": lambda: (
            body.replace(b"{", b'{"error":"1","error":', 1) if body.startswith(b"{") else body
        ),
        "deep_brackets": lambda: b'{"error":"0","data":' + b"[" * depth + b"]" * depth + b"}",
        "nul_inside": lambda: body.replace(b":", b":\x00", 1),
        "json_string": lambda: json.dumps(body.decode("utf-8", "replace")).encode(),
    }
    return edits[how]()


class _DroppedMidBody(httpx.AsyncByteStream):
    """The first part of the body, then the connection goes away."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._body[: len(self._body) // 2]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


_TRANSPORT_ERRORS: dict[str, Callable[[httpx.Request], Exception]] = {
    "connect_error": lambda r: httpx.ConnectError("connection refused", request=r),
    "connect_timeout": lambda r: httpx.ConnectTimeout("timed out", request=r),
    "read_timeout": lambda r: httpx.ReadTimeout("timed out", request=r),
    "pool_timeout": lambda r: httpx.PoolTimeout("no connection", request=r),
    "read_error": lambda r: httpx.ReadError("connection reset", request=r),
    "remote_protocol_error": lambda r: httpx.RemoteProtocolError("bad status line", request=r),
    "write_error": lambda r: httpx.WriteError("broken pipe", request=r),
    "proxy_error": lambda r: httpx.ProxyError("proxy said no", request=r),
}


@dataclass
class MangledAnswer:
    """What the exchanger sends back for one method under one recipe."""

    body: bytes
    status: int
    headers: dict[str, str]
    transport: str

    def respond(self, request: httpx.Request) -> httpx.Response:
        if self.transport in _TRANSPORT_ERRORS:
            raise _TRANSPORT_ERRORS[self.transport](request)
        stream: httpx.AsyncByteStream = (
            _DroppedMidBody(self.body)
            if self.transport == "dropped_mid_body"
            else httpx.ByteStream(self.body)
        )
        return httpx.Response(self.status, headers=self.headers, stream=stream)

    def describe(self) -> str:
        shown = self.body[:400] + (b"..." if len(self.body) > 400 else b"")
        return (
            f"HTTP {self.status} {self.headers} transport={self.transport} "
            f"({len(self.body)} bytes) {shown!r}"
        )


def mangle(method: str, recipe: Recipe) -> MangledAnswer:
    seeds = SEEDS[method]
    holder = {"root": copy.deepcopy(seeds[recipe.seed % len(seeds)])}
    depth = int(recipe.extra.get("depth", 3))
    nested: dict[str, Json] = {}
    for edit in recipe.edits:
        _apply_edit(holder, edit, depth, nested)
    body = _dump(holder["root"], recipe.dump, nested, depth)
    body = _edit_bytes(body, recipe.byte_edit, recipe.byte_at, depth)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if recipe.encoding is not None:
        headers["Content-Encoding"] = recipe.encoding
    return MangledAnswer(body, recipe.status, headers, recipe.transport)
