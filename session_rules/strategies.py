"""Hypothesis strategies for create-session requests, valid and invalid.

Valid requests are built by construction (the file count first, then that
many accepted media types), so they never need filtering and shrink toward
the smallest request the contract accepts. Invalid requests carry the
errors the library must report, in contract order, so a test can compare
them exactly. Needs the ``hypothesis`` extra.
"""

# ruff: noqa: E402
# The entry-point hook comes before the imports on purpose: when this module
# is imported first, ``import hypothesis`` runs the entry points and finds
# this half-imported module, which must already hold the hook by then.

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register `upload_stages` for ``st.from_type(UploadStage)``.

    Hypothesis calls this through the ``hypothesis`` entry point, so the
    registration needs no import of this module by the user.
    """
    # Imported here: the module-level names may not exist yet (see above).
    from hypothesis import strategies as st  # noqa: PLC0415

    from ._stage import UploadStage  # noqa: PLC0415

    # Looked up when first used: this module may still be importing now.
    st.register_type_strategy(UploadStage, lambda _type: upload_stages())


try:
    from hypothesis import assume, reject
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.strategies import DrawFn, SearchStrategy
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "session_rules.strategies needs Hypothesis; install the extra with"
        " pip install 'session-rules[hypothesis]'"
    ) from exc

import ipaddress
import json
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from ._addresses import IPV4_BLOCKS, IPV6_BLOCKS, NAME_RULES
from ._errors import ConfigurationError, Outcome
from ._policy import Policy
from ._request import KNOWN_MEMBERS, USER_MEMBERS, validate_create_session
from ._stage import UploadStage

__all__ = [
    "CreateSessionRequest",
    "ExpectedError",
    "create_session_requests",
    "invalid_create_session_requests",
    "media_types",
    "metadata_values",
    "upload_stages",
    "webhook_urls",
]

# -- the contract's figures, restated for construction -----------------

MAX_MEDIA_TYPE = 255
MAX_METADATA_BYTES = 4096
MAX_USER_MEMBER = 255
MAX_REQUEST_ID = 128
MAX_SLUG = 128
SAFE_INTEGER = 2**53 - 1
#: Stages whose smallest request is bigger than this are refused: a test
#: cannot build thousands of media types per example.
MAX_BUILT_FILES = 1000


# RFC 9110 5.6.2 tchar without "*", which would make a range.
_TCHARS = "!#$%&'+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# RFC 9110 5.6.4 qdtext (no obs-text) and the quoted-pair targets.
_QDTEXT = "\t !" + "".join(chr(c) for c in range(0x23, 0x7F) if chr(c) != "\\")
_VCHAR = "".join(chr(c) for c in range(0x21, 0x7F))
_B64TOKEN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~+/-"
_SLUG_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"
_C0_AND_DEL = "".join(chr(c) for c in range(0x20)) + "\x7f"
#: Unicode White_Space without the C0 controls among it (those are
#: control characters first, so never ``empty``).
_BLANKS = (
    " \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_WHITE_SPACE = "\t\n\x0b\x0c\r" + _BLANKS
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")

_COMMON_FORMATS = (
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/csv",
    "application/json",
    "video/mp4",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "image/svg+xml",
    "Image/PNG",
)
_COMMON_RANGES = ("image/*", "text/*", "application/*", "video/*", "IMAGE/*", "*/*")


# -- the request record ----------------------------------------------------


class ExpectedError(NamedTuple):
    """One error the library must report: its ``field`` and ``code``."""

    field: str
    code: str


@dataclass(frozen=True, slots=True)
class CreateSessionRequest:
    """A drawn request with the verdict the contract gives it.

    ``body``, ``stage``, ``slug``, ``headers`` and ``policy`` are the
    arguments of `validate_create_session`; ``status`` and ``errors`` are
    what it must answer (201 and no errors for a valid request).
    ``headers`` is a dict, or a tuple of pairs when a header repeats.
    """

    body: Any
    stage: UploadStage
    slug: Any
    headers: Any
    policy: Policy | None = None
    status: int = 201
    errors: tuple[ExpectedError, ...] = ()

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of `validate_create_session`."""
        return {
            "stage": self.stage,
            "slug": self.slug,
            "headers": self.headers,
            "policy": self.policy,
        }

    def validate(self) -> Outcome:
        """Run `validate_create_session` on this request."""
        return validate_create_session(self.body, **self.arguments())

    def body_bytes(self) -> bytes:
        """The body as JSON text (non-ASCII escaped, so lone surrogates fit).

        Raises ``ValueError`` or ``TypeError`` for a body drawn with
        ``python_values=True`` that JSON cannot carry.
        """
        text = json.dumps(self.body, allow_nan=False, separators=(",", ":"))
        return text.encode("ascii")


# -- argument checks ---------------------------------------------------------


def _check_int(name: str, value: object, *, minimum: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be an integer")
    if value < minimum:
        raise InvalidArgument(f"{name}={value} must be at least {minimum}")
    return value


def _check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise InvalidArgument(f"{name}={value!r} must be True or False")
    return value


def _check_policy(policy: object, *, strict: bool) -> Policy:
    if policy is None:
        return Policy()
    if not isinstance(policy, Policy):
        raise InvalidArgument(f"policy={policy!r} must be a Policy or None")
    if policy.resolver is not None:
        raise InvalidArgument(
            "policy has a resolver: what it answers cannot be known when"
            " drawing; use a policy without one"
        )
    if strict and policy.admitted_addresses:
        raise InvalidArgument(
            "policy admits extra addresses: which URLs fail cannot be known"
            " when drawing; use a policy without admitted_addresses"
        )
    return policy


def _stage_strategy(stage: object) -> SearchStrategy[UploadStage]:
    if stage is None:
        return upload_stages()
    if isinstance(stage, SearchStrategy):
        return stage
    if not isinstance(stage, UploadStage):
        raise InvalidArgument(
            f"stage={stage!r} must be an UploadStage, a strategy of them or None"
        )
    if stage.min_files > MAX_BUILT_FILES:
        raise InvalidArgument(
            f"stage.min_files={stage.min_files} is above {MAX_BUILT_FILES}:"
            " requests that large are not built"
        )
    return st.just(stage)


# -- upload stages -----------------------------------------------------------


def upload_stages(
    *,
    min_files: int = 0,
    max_files: int = 20,
    formats: Collection[str] | None = None,
) -> SearchStrategy[UploadStage]:
    """Valid upload stages whose window lies inside ``min_files..max_files``.

    ``formats``: the accepted formats to choose from (exact types,
    ``type/*`` or ``*/*``); by default a mix of common types, ranges,
    ``*/*`` and drawn types. The window's bounds and a one-value window
    are drawn often.
    """
    _check_int("min_files", min_files)
    _check_int("max_files", max_files)
    if min_files > max_files:
        raise InvalidArgument(f"min_files={min_files} is above max_files={max_files}")
    if min_files > MAX_BUILT_FILES:
        raise InvalidArgument(f"min_files={min_files} is above {MAX_BUILT_FILES}")
    if formats is None:
        pool: SearchStrategy[str] = st.one_of(
            st.sampled_from(_COMMON_FORMATS),
            st.sampled_from(_COMMON_RANGES),
            media_types(parameters=False, wildcards=True),
        )
    else:
        pool = st.sampled_from(_check_formats(formats))
    formats_lists = st.lists(
        pool, min_size=1, max_size=6, unique_by=lambda f: f.lower()
    ).map(tuple)
    return st.builds(_stage, _windows(min_files, max_files), formats_lists)


def _check_formats(formats: object) -> list[str]:
    if isinstance(formats, str | bytes) or not isinstance(formats, Collection):
        raise InvalidArgument(f"formats={formats!r} must be a collection of strings")
    items = list(formats)
    if not items:
        raise InvalidArgument("formats must not be empty")
    for item in items:
        try:
            UploadStage(0, 0, (item,))
        except ConfigurationError as exc:
            raise InvalidArgument(f"formats: {exc}") from None
    return items


def _windows(low: int, high: int) -> SearchStrategy[tuple[int, int]]:
    edges = sorted({low, min(low + 1, high), high})
    bound = st.sampled_from(edges) | st.integers(low, high)

    def ordered(pair: tuple[int, int]) -> tuple[int, int]:
        return (min(pair), max(pair))

    single = bound.map(lambda n: (n, n))
    return st.one_of(st.tuples(bound, bound).map(ordered), single)


def _stage(window: tuple[int, int], formats: tuple[str, ...]) -> UploadStage:
    return UploadStage(window[0], window[1], formats)


# -- media types -------------------------------------------------------------

_tokens = st.text(alphabet=_TCHARS, min_size=1, max_size=12)
_common_types = st.sampled_from(
    ("application", "image", "text", "video", "audio", "font", "model")
)


def media_types(
    *,
    accepted_by: UploadStage | None = None,
    wildcards: bool = False,
    parameters: bool = True,
) -> SearchStrategy[str]:
    """Media types by the RFC 9110 grammar, at most 255 characters.

    ``accepted_by``: only concrete types that stage admits. ``wildcards``:
    mix in ranges (``type/*``, ``*/*``, never with parameters), as a stage
    may hold. ``parameters``: sometimes add parameters, with the grammar's
    optional white space, bare semicolons and quoted strings.
    """
    _check_bool("wildcards", wildcards)
    _check_bool("parameters", parameters)
    if accepted_by is not None and not isinstance(accepted_by, UploadStage):
        raise InvalidArgument(f"accepted_by={accepted_by!r} must be an UploadStage")
    if accepted_by is not None and wildcards:
        raise InvalidArgument("a stage never accepts a range from a client")
    if accepted_by is not None:
        essences = st.sampled_from(accepted_by.accepted_formats).flatmap(_concrete_for)
    else:
        essences = _any_concrete()
    concrete = _with_parameters(essences) if parameters else essences
    if not wildcards:
        return concrete
    ranges = st.one_of(st.just("*/*"), (_common_types | _tokens).map("{}/*".format))
    return concrete | ranges


def _any_concrete() -> SearchStrategy[str]:
    named = st.tuples(_common_types | _tokens, _tokens).map("/".join)
    return st.sampled_from(_COMMON_FORMATS[:6]) | named


def _concrete_for(accepted: str) -> SearchStrategy[str]:
    """Concrete types one accepted format admits, in any letter case."""
    kind, _, sub = accepted.partition("/")
    if kind == "*":
        base = _any_concrete()
    elif sub == "*":
        base = st.sampled_from(("png", "csv", "x-y")) | _tokens
        base = base.map(lambda s: f"{kind}/{s}")
    else:
        base = st.just(accepted)
    return st.tuples(base, st.sampled_from(("keep", "lower", "upper"))).map(_recase)


def _recase(pair: tuple[str, str]) -> str:
    text, how = pair
    return {"keep": text, "lower": text.lower(), "upper": text.upper()}[how]


_ows = st.sampled_from(("", "", " ", "\t", "  "))
_quoted = st.lists(
    st.sampled_from(_QDTEXT) | st.sampled_from(_QDTEXT[:40]).map(lambda c: "\\" + c),
    max_size=8,
).map(lambda parts: '"' + "".join(parts) + '"')
_parameter = st.one_of(
    st.just(""),
    st.tuples(_tokens, _tokens | _quoted).map(lambda p: f"{p[0]}={p[1]}"),
    st.sampled_from(("charset=utf-8", 'charset="UTF-8"', "q=0.5")),
)
_parameter_part = st.tuples(_ows, _ows, _parameter).map(
    lambda p: f"{p[0]};{p[1]}{p[2]}"
)


def _with_parameters(essences: SearchStrategy[str]) -> SearchStrategy[str]:
    def join(pair: tuple[str, list[str]]) -> str:
        essence, parts = pair
        text = essence + "".join(parts)
        return text if len(text) <= MAX_MEDIA_TYPE else essence

    return st.tuples(essences, st.lists(_parameter_part, max_size=3)).map(join)


def _accepts(stage: UploadStage, media_type: str) -> bool:
    """Whether a concrete type's essence is admitted (contract section 3)."""
    essence = re.split(r"[ \t;]", media_type, maxsplit=1)[0].lower()
    kind = essence.partition("/")[0]
    for accepted in (f.lower() for f in stage.accepted_formats):
        if accepted in ("*/*", essence) or accepted == f"{kind}/*":
            return True
    return False


# -- JSON sizes as JavaScript writes them ------------------------------------


def _js_number(value: int | float) -> str:
    """ECMAScript Number::toString for a finite number (safe ints as is)."""
    if isinstance(value, int):
        return str(value)
    if value == 0:
        return "0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    text = "".join(map(str, digits))
    k, n = len(text), len(text) + int(exponent)
    lead = "-" if sign else ""
    if k <= n <= 21:
        return lead + text + "0" * (n - k)
    if 0 < n <= 21:
        return lead + text[:n] + "." + text[n:]
    if -6 < n <= 0:
        return lead + "0." + "0" * -n + text
    e = n - 1
    mantissa = text[0] + ("." + text[1:] if k > 1 else "")
    return f"{lead}{mantissa}e{'+' if e > 0 else '-'}{abs(e)}"


def _js_string_size(text: str) -> int:
    size = 2
    for char in text:
        if char in '"\\\b\f\n\r\t':
            size += 2
        elif char < " ":
            size += 6
        else:
            size += len(char.encode("utf-8"))
    return size


def _json_size(value: Any) -> int:
    """UTF-8 length of ``JSON.stringify(value)`` for valid metadata."""
    if isinstance(value, str):
        return _js_string_size(value)
    if isinstance(value, bool):
        return 4 if value else 5
    if isinstance(value, int | float):
        return len(_js_number(value))
    if isinstance(value, list):
        return 2 + max(len(value) - 1, 0) + sum(_json_size(v) for v in value)
    members = value.items()
    return (
        2
        + max(len(value) - 1, 0)
        + sum(_js_string_size(k) + 1 + _json_size(v) for k, v in members)
    )


# -- metadata ----------------------------------------------------------------

_valid_text = st.text(st.characters(codec="utf-8"), max_size=16)
_safe_ints = st.sampled_from((0, SAFE_INTEGER, -SAFE_INTEGER, 2**31)) | st.integers(
    -SAFE_INTEGER, SAFE_INTEGER
)
_finite_floats = st.sampled_from((-0.0, 1e21, 1e-7, 0.1, 1.5)) | st.floats(
    allow_nan=False, allow_infinity=False
)
_metadata_leaves = st.one_of(st.booleans(), _safe_ints, _valid_text, _finite_floats)
_level2 = st.one_of(
    st.lists(_metadata_leaves, max_size=4),
    st.dictionaries(_valid_text, _metadata_leaves, max_size=4),
)


@st.composite
def _valid_metadata(draw: DrawFn, budget: int = MAX_METADATA_BYTES) -> dict[str, Any]:
    members = draw(st.dictionaries(_valid_text, _metadata_leaves | _level2, max_size=6))
    while members and _json_size(members) > budget:
        members.pop(next(iter(members)))
    if draw(st.integers(0, 5)) == 5:
        _pad_to(members, budget if budget == MAX_METADATA_BYTES else 0)
    return members


def _pad_to(members: dict[str, Any], target: int) -> None:
    """Add one ASCII member so the metadata is exactly ``target`` bytes."""
    if target <= 0:
        return
    key = "pad"
    while key in members:
        key += "_"
    members[key] = ""
    missing = target - _json_size(members)
    if missing < 0:
        del members[key]
        return
    members[key] = "x" * missing


def metadata_values(
    *, valid: bool = True, python_values: bool = False
) -> SearchStrategy[Any]:
    """Metadata the contract accepts, or values it must refuse.

    Valid metadata has string keys and string, finite-number and boolean
    leaves, at most two levels deep and at most 4096 bytes (exactly 4096
    is drawn often). Invalid values give at least one metadata error:
    not an object, too large (4097 bytes drawn often), too deep (a third
    level), or a bad leaf or key; ``python_values`` adds values JSON cannot
    carry (tuples, bytes, NaN, non-string keys, huge integers).
    """
    _check_bool("valid", valid)
    _check_bool("python_values", python_values)
    if valid:
        if python_values:
            raise InvalidArgument("python_values only applies with valid=False")
        return _valid_metadata()
    return _labelled_metadata(python_values).map(lambda pair: pair[0])


_JSON_NOT_OBJECTS: tuple[Any, ...] = (None, [], "metadata", 0, True, [{"a": 1}])


def _python_oddities() -> list[Any]:
    return [
        (1, 2),
        {1, 2},
        b"bytes",
        Decimal("1.5"),
        float("nan"),
        float("inf"),
        float("-inf"),
        10**5000,
        object(),
        frozenset(),
    ]


@st.composite
def _labelled_metadata(draw: DrawFn, python_values: bool) -> tuple[Any, list[str]]:
    """Invalid metadata and the metadata codes it gives, in order."""
    kind = draw(
        st.sampled_from(("invalid-value", "too-deep", "too-large", "wrong-type"))
    )
    if kind == "wrong-type":
        pool: list[Any] = list(_JSON_NOT_OBJECTS)
        if python_values:
            pool += [(("a", 1),), b"x", _python_oddities()[0]]
        return draw(st.sampled_from(pool)), ["wrong-type"]
    if kind == "too-large":
        return draw(_too_large_metadata()), ["metadata-too-large"]
    code = "metadata-" + kind
    count = draw(st.integers(1, 3))
    faulty = [draw(_bad_member(code, python_values)) for _ in range(count)]
    return _insert_members(draw, faulty), [code] * count


@st.composite
def _too_large_metadata(draw: DrawFn) -> dict[str, Any]:
    members = draw(_valid_metadata(budget=2048))
    target = draw(
        st.sampled_from((4097, 4098, 5000, 100_000)) | st.integers(4097, 9000)
    )
    _pad_to(members, target)  # from at most 2048 bytes: it always fits
    return members


_BadMember = tuple[Any, Any, Any]  # key, faulty value, pruned value (or _DROP)
_DROP = object()


@st.composite
def _bad_member(draw: DrawFn, code: str, python_values: bool) -> _BadMember:
    key = draw(_valid_text)
    if code == "metadata-too-deep":
        # A level-3 container is not entered: what it holds is never judged.
        inners: list[Any] = [{}, [], {"a": 1}, [[None]], {"x": {"y": None}}]
        if python_values:
            inners.append({"x": float("nan"), 1: (1, 2)})
        inner = draw(st.sampled_from(inners))
        shape = draw(st.sampled_from(("dict", "list")))
        if shape == "dict":
            return key, {"deep": inner}, {}
        return key, [inner], []
    bad_leaves: list[Any] = [None, SAFE_INTEGER + 1, -(2**53), 10**20, "lone \ud800"]
    if python_values:
        bad_leaves += _python_oddities()
    leaf = draw(st.sampled_from(bad_leaves))
    place = draw(st.sampled_from(("member", "in-list", "in-dict", "key")))
    if place == "in-list":
        return key, [1, leaf], [1]
    if place == "in-dict":
        return key, {"ok": True, "bad": leaf}, {"ok": True}
    if place == "key":
        if python_values:
            return draw(st.sampled_from((1, None, 2.5, (1,)))), leaf, _DROP
        return "\udc00" + key, "fine", _DROP
    return key, leaf, _DROP


def _insert_members(draw: DrawFn, faulty: list[_BadMember]) -> dict[Any, Any]:
    """Valid metadata with the faulty members placed among its members."""
    base = draw(_valid_metadata(budget=3000))
    members: list[_BadMember] = [(k, v, v) for k, v in base.items()]
    taken: list[Any] = list(base)
    for wanted, value, pruned in faulty:
        key = wanted
        while key in taken:
            key = key + "_" if isinstance(key, str) else ("k", key)
        taken.append(key)
        members.insert(draw(st.integers(0, len(members))), (key, value, pruned))
    # What the walk measures: bad members add nothing, deep ones add "{}".
    measured = {k: p for k, _, p in members if p is not _DROP}
    if _json_size(measured) > MAX_METADATA_BYTES:  # pragma: no cover
        reject()
    return {k: v for k, v, _ in members}


# -- webhook URLs ------------------------------------------------------------

_label_chars = "abcdefghijklmnopqrstuvwxyz0123456789-_"
_labels = st.text(alphabet=_label_chars, min_size=1, max_size=20).filter(
    lambda s: s[0] != "-" and s[-1] != "-" and not s.startswith("xn--")
)
_blocked_suffixes = {rule.suffix for rule in NAME_RULES}
_tlds = st.sampled_from(("com", "example", "test", "invalid", "io", "de")) | st.text(
    alphabet="abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=8
).filter(lambda t: t not in _blocked_suffixes)
_IDN_LABELS = ("bücher", "münchen", "日本語", "пример", "faß", "παράδειγμα", "BÜCHER")
_FULLWIDTH = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}
_IDEOGRAPHIC_DOTS = ("。", "．", "｡")
_path_chars = st.sampled_from(
    [c for c in _VCHAR if c != "\\"] + ["é", "ü", "日", "🎉", "ß", "@", "%20"]
)


@st.composite
def _public_names(draw: DrawFn) -> str:
    labels = draw(
        st.lists(_labels | st.sampled_from(_IDN_LABELS), min_size=1, max_size=3)
    )
    labels.append(draw(_tlds))
    if draw(st.integers(0, 9)) == 9:
        labels[0] = "a" * 63  # the longest label
    host = ".".join(labels)
    how = draw(
        st.sampled_from(("plain", "plain", "upper", "fullwidth", "dots", "trailing"))
    )
    if how == "upper":
        host = host.upper()
    elif how == "fullwidth":
        host = "".join(_FULLWIDTH.get(c, c) for c in host)
    elif how == "dots":
        host = host.replace(".", draw(st.sampled_from(_IDEOGRAPHIC_DOTS)))
    elif how == "trailing":
        host += "."
    return host


def _networks(blocks: Sequence[Any]) -> list[Any]:
    return [ipaddress.ip_network(b.network) for b in blocks if b.reason is not None]


_V4_BLOCKED = _networks(IPV4_BLOCKS)
_V6_GLOBAL = ipaddress.IPv6Network("2000::/3")
_V6_BLOCKED_INSIDE = [
    n for n in _networks(IPV6_BLOCKS) if n.prefixlen > 3 and n.subnet_of(_V6_GLOBAL)
]
_V6_6TO4 = ipaddress.IPv6Network("2002::/16")


def _v4_public(value: int) -> bool:
    addr = ipaddress.IPv4Address(value)
    return not any(addr in net for net in _V4_BLOCKED)


def _v6_public(value: int) -> bool:
    addr = ipaddress.IPv6Address(value)
    return (
        addr in _V6_GLOBAL
        and addr not in _V6_6TO4
        and not any(addr in net for net in _V6_BLOCKED_INSIDE)
    )


_public_v4 = st.sampled_from((0x08080808, 0x01010101, 0xDFFFFFFF)) | st.integers(
    0, 2**32 - 1
).filter(_v4_public)
_public_v6 = st.integers(int(_V6_GLOBAL[0]), int(_V6_GLOBAL[-1])).filter(_v6_public)


@st.composite
def _public_literals(draw: DrawFn) -> str:
    if draw(st.booleans()):
        text = str(ipaddress.IPv4Address(draw(_public_v4)))
        how = draw(st.sampled_from(("plain", "fullwidth", "dots", "trailing")))
        if how == "fullwidth":
            return "".join(_FULLWIDTH.get(c, c) for c in text)
        if how == "dots":
            return text.replace(".", draw(st.sampled_from(_IDEOGRAPHIC_DOTS)))
        return text + ("." if how == "trailing" else "")
    addr = ipaddress.IPv6Address(draw(_public_v6))
    text = draw(st.sampled_from((str(addr), addr.exploded, str(addr).upper())))
    return f"[{text}]"


def _allowed_ports(policy: Policy) -> list[range]:
    if policy.allowed_ports is None:
        return [range(1, 65536)]
    return [r for r in policy.allowed_ports if len(r)]


def _disallowed_ports(policy: Policy) -> list[int]:
    if policy.allowed_ports is None:
        return []
    edges = [1, 80, 442, 444, 1023, 8080, 65535, 22, 25]
    return [p for p in edges if not policy.port_allowed(p)] or [
        p for p in range(1, 65536) if not policy.port_allowed(p)
    ][:50]


@st.composite
def _port_suffix(draw: DrawFn, policy: Policy) -> str:
    ranges = _allowed_ports(policy)
    if policy.allowed_ports is None and draw(st.booleans()):
        return ""
    span = draw(st.sampled_from(ranges))
    port = draw(st.sampled_from((span[0], span[-1])) | st.integers(span[0], span[-1]))
    if port == 443 and draw(st.booleans()):
        return ""
    zeros = draw(st.sampled_from(("", "", "0", "00")))
    return f":{zeros}{port}"


@st.composite
def _tails(draw: DrawFn) -> str:
    path = "/" + "".join(draw(st.lists(_path_chars, max_size=12)))
    path = path.replace("#", "").replace("?", "")
    query = draw(st.sampled_from(("", "?a=1", "?token=s3cr3t&x=@y", "?")))
    fragment = draw(st.sampled_from(("", "#frag", "#")))
    return draw(st.sampled_from((path, "", path))) + query + fragment


_schemes = st.sampled_from(("https", "https", "HTTPS", "HtTpS"))


@st.composite
def _public_urls(draw: DrawFn, policy: Policy) -> str:
    literal = policy.allow_ip_literals and draw(st.integers(0, 3)) == 3
    host = draw(_public_literals() if literal else _public_names())
    url = f"{draw(_schemes)}://{host}{draw(_port_suffix(policy))}{draw(_tails())}"
    limit = policy.max_webhook_url
    if limit <= 10_000 and draw(st.integers(0, 9)) == 9:
        # Exactly the longest URL the policy admits.
        url = url.partition("#")[0].partition("?")[0]
        if url.count("/") < 3:
            url += "/"
        url += "p" * (limit - len(url))
    assume(len(url) <= limit)
    return url


# Non-public hosts in every spelling the contract reads.


def _v4_spellings(value: int) -> list[str]:
    """Ways to write one IPv4 address that the WHATWG parser reads as it."""
    octets = [(value >> s) & 0xFF for s in (24, 16, 8, 0)]

    def octal(n: int) -> str:
        return "0" + format(n, "o")

    return [
        ".".join(map(str, octets)),
        str(value),
        "0x" + format(value, "x"),
        "0X" + format(value, "X"),
        octal(value),
        ".".join(octal(o) for o in octets),
        ".".join("0x" + format(o, "x") for o in octets),
        f"{octets[0]}.{octets[1]}.{(octets[2] << 8) | octets[3]}",
        f"{octets[0]}.{value & 0xFFFFFF}",
        f"0x{octets[0]:x}.{octal(octets[1])}.{octets[2]}.{octets[3]}",
    ]


def _v6_embeddings(value: int) -> list[str]:
    """IPv6 literals that carry one IPv4 address (contract section 7.6)."""
    v4 = ipaddress.IPv4Address(value)
    hi, lo = value >> 16, value & 0xFFFF
    forms = [
        f"::ffff:{v4}",
        f"::FFFF:{hi:x}:{lo:x}",
        f"::ffff:0:{v4}",
        f"64:ff9b::{v4}",
        f"64:ff9b::{hi:x}:{lo:x}",
        str(ipaddress.IPv6Address((0x64FF9B0001 << 80) | (hi << 64) | (lo << 40))),
        str(ipaddress.IPv6Address((0x2002 << 112) | (value << 80))),
    ]
    if value > 1:
        forms.append(f"::{v4}")
    return forms


def _blocked_v4(draw: DrawFn) -> int:
    net = draw(st.sampled_from(_V4_BLOCKED))
    first, last = int(net[0]), int(net[-1])
    return draw(st.sampled_from((first, last)) | st.integers(first, last))


@st.composite
def _blocked_v6(draw: DrawFn) -> int:
    net = draw(st.sampled_from(_networks(IPV6_BLOCKS)))
    first, last = int(net[0]), int(net[-1])
    value = draw(st.sampled_from((first, last)) | st.integers(first, last))
    if _v6_public(value) or _carries_v4(value):
        value = {0: 0, 128: 1}.get(net.prefixlen, first)
        if _v6_public(value) or _carries_v4(value):
            value = 1  # pragma: no cover - no block's fallback is public (tested)
    return value


def _carries_v4(value: int) -> bool:
    top = value >> 32
    return (
        top in (0xFFFF, 0xFFFF_0000, 0x0064_FF9B_0000_0000_0000_0000)
        or (top == 0 and value > 1)
        or value >> 80 == 0x0064_FF9B_0001
        or value >> 112 == 0x2002
    )


_BLOCKED_NAMES = (
    "localhost",
    "LOCALHOST",
    "LocalHost.",
    "ＬＯＣＡＬＨＯＳＴ",
    "ⓛⓞⓒⓐⓛⓗⓞⓢⓣ",
    "api.localhost",
    "db.localdomain",
    "printer.local",
    "printer。local",
    "metadata.google.internal",
    "foo．internal",
    "Foo.INTERNAL",
    "home.arpa",
    "1.0.0.127.in-addr.arpa",
    "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
    "intranet",
    "metadata",
    "kubernetes",
    "Intranet.",
)


@st.composite
def _non_public_hosts(draw: DrawFn) -> str:
    kind = draw(st.sampled_from(("name", "v4", "v4-in-v6", "v6")))
    if kind == "name":
        single = _labels.filter(lambda s: not s.isdigit() and not s.startswith("0x"))
        return draw(st.sampled_from(_BLOCKED_NAMES) | single)
    if kind == "v6":
        addr = ipaddress.IPv6Address(draw(_blocked_v6()))
        text = draw(st.sampled_from((str(addr), addr.exploded, str(addr).upper())))
        return f"[{text}]"
    value = _blocked_v4(draw)
    if kind == "v4-in-v6":
        return f"[{draw(st.sampled_from(_v6_embeddings(value)))}]"
    text = draw(st.sampled_from(_v4_spellings(value)))
    how = draw(st.sampled_from(("plain", "plain", "fullwidth", "dots", "trailing")))
    if how == "fullwidth":
        return "".join(_FULLWIDTH.get(c, c) for c in text)
    if how == "dots":
        return text.replace(".", draw(st.sampled_from(_IDEOGRAPHIC_DOTS)))
    return text + ("." if how == "trailing" else "")


@st.composite
def _non_public_urls(draw: DrawFn, policy: Policy) -> str:
    host = draw(_non_public_hosts())
    port = draw(st.sampled_from(("", ":443", ":8080", ":1", ":65535", ":080")))
    url = f"{draw(_schemes)}://{host}{port}{draw(_tails())}"
    assume(len(url) <= policy.max_webhook_url)
    return url


def webhook_urls(
    *, public: bool = True, policy: Policy | None = None
) -> SearchStrategy[str]:
    """Webhook URLs that `check_webhook_url` accepts, or refuses as private.

    ``public=True``: https URLs to public names (IDNA, fullwidth letters,
    ideographic dots, trailing dots, a 63-character label) or, where the
    policy allows them, public IP literals; ports the policy allows; paths
    with non-ASCII, queries, fragments; now and then exactly the policy's
    maximum length. ``public=False``: URLs whose host is refused with
    ``host-not-public``: every blocked IPv4 and IPv6 block, IPv4 written in
    decimal, octal, hex, short forms, fullwidth digits, ideographic dots,
    with a trailing dot or inside IPv6, and the blocked names.
    """
    _check_bool("public", public)
    checked = _check_policy(policy, strict=not public)
    if checked.max_webhook_url < 64:
        raise InvalidArgument("policy.max_webhook_url is too small to build URLs")
    if public:
        if not _allowed_ports(checked):
            raise InvalidArgument("policy.allowed_ports admits no port at all")
        return _public_urls(checked)
    return _non_public_urls(checked)


# -- valid requests ----------------------------------------------------------

_request_ids = st.sampled_from(("a", "x" * MAX_REQUEST_ID)) | st.text(
    alphabet=_VCHAR, min_size=1, max_size=MAX_REQUEST_ID
)
_EDGE_SLUGS = ("a", "0", "a" * MAX_SLUG, "a-" * 63 + "ab", "invoice-intake")
_slugs = st.sampled_from(_EDGE_SLUGS) | st.lists(
    st.text(alphabet=_SLUG_CHARS, min_size=1, max_size=10), min_size=1, max_size=5
).map("-".join).filter(lambda s: len(s) <= MAX_SLUG)
_api_keys = st.tuples(
    st.text(alphabet=_B64TOKEN, min_size=1, max_size=40),
    st.sampled_from(("", "", "=", "==")),
).map(lambda p: "aok_" + p[0] + p[1])
_AUTH_NAMES = ("Authorization", "authorization", "AUTHORIZATION")
_BEARERS = ("Bearer", "bearer", "BEARER", "BeArEr")
_CONTENT_TYPES = ("application/json", "application/json; charset=utf-8")
_API_KEY = re.compile(r"aok_[A-Za-z0-9._~+/\-]+=*")
_ODD_TEXT = ("\u180e", "\u200b", "é", "日本", "\x80", "a\u3000b", "🎉")


def _free_text(max_size: int) -> SearchStrategy[str]:
    """Text the contract accepts: no C0, DEL or surrogates, not blank."""
    top = min(max_size, 300)
    chars = st.characters(codec="utf-8", exclude_characters=_C0_AND_DEL)
    edges = [t for t in _ODD_TEXT if len(t) <= max_size]
    if max_size <= 10_000:
        edges.append("x" * max_size)
    return st.sampled_from(edges) | st.text(chars, min_size=1, max_size=top).filter(
        lambda t: t.strip(_WHITE_SPACE) != ""
    )


@dataclass
class _Plan:
    """A request under construction, and the errors each part will give."""

    stage: UploadStage
    policy: Policy
    headers: list[tuple[str, Any]]
    slug: Any
    body: dict[Any, Any]
    count: int
    body_override: Any = None
    overridden: bool = False
    errors: dict[str, list[ExpectedError]] = field(default_factory=dict)
    entry_errors: dict[int, ExpectedError] = field(default_factory=dict)
    pending_entries: int = 0
    python: bool = False

    def report(self, slot: str, field_name: str, code: str) -> None:
        self.errors.setdefault(slot, []).append(ExpectedError(field_name, code))


@st.composite
def _plans(
    draw: DrawFn,
    stage: UploadStage,
    policy: Policy,
    *,
    slug: str | None = None,
    api_key: str | None = None,
    need_entries: int = 0,
) -> _Plan:
    low = max(stage.min_files, need_entries)
    high = min(stage.max_files, low + 32)
    edges = [low] + ([stage.max_files] if stage.max_files <= MAX_BUILT_FILES else [])
    count = draw(st.sampled_from(edges) | st.integers(low, high))
    entry = media_types(
        accepted_by=stage, parameters=not policy.refuse_media_type_parameters
    )
    body: dict[Any, Any] = {
        "fileCount": float(count) if draw(st.integers(0, 9)) == 9 else count,
        "contentTypes": [draw(entry) for _ in range(count)],
        "clientSubmissionId": draw(_free_text(policy.max_client_submission_id)),
    }
    optional = draw(st.lists(st.sampled_from(KNOWN_MEMBERS[3:]), unique=True))
    if "webhookUrl" in optional and _allowed_ports(policy):
        body["webhookUrl"] = draw(_public_urls(policy))
    if "metadata" in optional:
        body["metadata"] = draw(_valid_metadata())
    if "externalUser" in optional:
        body["externalUser"] = draw(_external_users(policy))
    if policy.null_as_absent:
        for name in draw(st.lists(st.sampled_from(KNOWN_MEMBERS[3:]), unique=True)):
            body.setdefault(name, None)
    if policy.ignore_unknown_members:
        unknown = _valid_text.filter(lambda k: k not in KNOWN_MEMBERS)
        for key, value in draw(
            st.dictionaries(unknown, _json_values, max_size=2)
        ).items():
            body.setdefault(key, value)
    key = api_key if api_key is not None else draw(_api_keys)
    headers: list[tuple[str, Any]] = [
        (draw(st.sampled_from(_AUTH_NAMES)), f"{draw(st.sampled_from(_BEARERS))} {key}")
    ]
    if draw(st.booleans()):
        headers.append(("Content-Type", draw(st.sampled_from(_CONTENT_TYPES))))
    if draw(st.booleans()):
        name = draw(st.sampled_from(("X-Request-Id", "x-request-id")))
        headers.append((name, draw(_request_ids)))
    chosen_slug = slug if slug is not None else draw(_slugs)
    return _Plan(stage, policy, headers, chosen_slug, body, count)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | _finite_floats | _valid_text,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(_valid_text, inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def _external_users(draw: DrawFn, policy: Policy) -> dict[str, Any]:
    user: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(USER_MEMBERS), unique=True)):
        user[name] = draw(_free_text(MAX_USER_MEMBER))
    if policy.null_as_absent and draw(st.booleans()):
        user.setdefault(draw(st.sampled_from(USER_MEMBERS)), None)
    if policy.ignore_unknown_members and draw(st.booleans()):
        key = draw(_valid_text.filter(lambda k: k not in USER_MEMBERS))
        user.setdefault(key, draw(_json_values))
    return user


def _finish(draw: DrawFn, plan: _Plan) -> CreateSessionRequest:
    """Shuffle the body's members and settle status and errors."""
    if plan.overridden:
        body = plan.body_override
    else:
        body = dict(draw(st.permutations(list(plan.body.items()))))
    names = [name.lower() for name, _ in plan.headers]
    headers: Any = (
        dict(plan.headers) if len(set(names)) == len(names) else tuple(plan.headers)
    )
    status, errors = _verdict(plan, body)
    return CreateSessionRequest(
        body=body,
        stage=plan.stage,
        slug=plan.slug,
        headers=headers,
        policy=plan.policy,
        status=status,
        errors=tuple(errors),
    )


_ORDER = (
    *KNOWN_MEMBERS,
    *(f"externalUser.{name}" for name in USER_MEMBERS),
)


def _verdict(plan: _Plan, body: Any) -> tuple[int, list[ExpectedError]]:
    for slot, status in (("auth", 401), ("slug", 404)):
        if plan.errors.get(slot):
            return status, plan.errors[slot][:1]
    found: list[ExpectedError] = []
    if plan.overridden:
        found.append(ExpectedError("", "wrong-type"))
    else:
        for slot in _ORDER:
            found += plan.errors.get(slot, [])
            if slot == "contentTypes":
                found += [plan.entry_errors[i] for i in sorted(plan.entry_errors)]
        if not plan.policy.ignore_unknown_members:
            user = body.get("externalUser")
            if isinstance(user, dict) and "externalUser" not in plan.errors:
                found += _unknown_errors(user, USER_MEMBERS, "externalUser")
            found += _unknown_errors(body, KNOWN_MEMBERS, "")
    found += plan.errors.get("requestId", [])
    limit = plan.policy.max_errors
    if len(found) > limit:
        found = [*found[:limit], ExpectedError("", "too-many-errors")]
    return (422 if found else 201), found


def _unknown_errors(
    obj: dict[Any, Any], known: tuple[str, ...], prefix: str
) -> list[ExpectedError]:
    return [
        ExpectedError(_member_field(prefix, key), "unknown-field")
        for key in obj
        if key not in known
    ]


def _member_field(prefix: str, key: str) -> str:
    """The API's name for a member: ``a.b``, or ``a["b c"]`` (section 2)."""
    cut = len(key) > 64
    text = key[:63] + "…" if cut else key
    if _IDENTIFIER.fullmatch(text) and not cut:
        return f"{prefix}.{text}" if prefix else text
    return f"{prefix}[{_json_string(text)}]"


def _json_string(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char in "\b\f\n\r\t":
            out.append(json.dumps(char)[1:-1])
        elif char < " " or "\ud800" <= char <= "\udfff":
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def create_session_requests(
    *,
    stage: UploadStage | SearchStrategy[UploadStage] | None = None,
    policy: Policy | None = None,
    slug: str | None = None,
    api_key: str | None = None,
) -> SearchStrategy[CreateSessionRequest]:
    """Requests the contract accepts (status 201), built by construction.

    The file count is drawn inside the stage's window (its bounds often),
    then exactly that many media types the stage admits; the optional
    members, ``X-Request-Id`` and ``Content-Type`` come and go. ``slug``
    and ``api_key`` (``aok_...``) fix those parts for a real server test.
    Shrinks toward the smallest valid request.
    """
    stages = _stage_strategy(stage)
    checked = _check_policy(policy, strict=False)
    if slug is not None and not (
        isinstance(slug, str)
        and len(slug) <= MAX_SLUG
        and re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug)
    ):
        raise InvalidArgument(f"slug={slug!r} cannot name a workflow")
    if api_key is not None and not (
        isinstance(api_key, str) and _API_KEY.fullmatch(api_key)
    ):
        raise InvalidArgument("api_key must be aok_ followed by a b64token")
    return _valid_requests(
        stages, checked, given_policy=policy, slug=slug, api_key=api_key
    )


@st.composite
def _valid_requests(
    draw: DrawFn,
    stages: SearchStrategy[UploadStage],
    policy: Policy,
    *,
    given_policy: Policy | None,
    slug: str | None,
    api_key: str | None,
) -> CreateSessionRequest:
    stage = draw(stages)
    if stage.min_files > MAX_BUILT_FILES:
        reject()
    plan = draw(_plans(stage, policy, slug=slug, api_key=api_key))
    request = _finish(draw, plan)
    return _replace_policy(request, given_policy)


def _replace_policy(
    request: CreateSessionRequest, policy: Policy | None
) -> CreateSessionRequest:
    return CreateSessionRequest(
        request.body,
        request.stage,
        request.slug,
        request.headers,
        policy,
        request.status,
        request.errors,
    )


# -- faults ------------------------------------------------------------------

_BODY_SLOTS = frozenset(
    {
        "fileCount",
        "contentTypes",
        "length",
        "entry",
        "clientSubmissionId",
        "webhookUrl",
        "metadata",
        "externalUser",
        "member",
        "externalUser.unknown",
        "unknown",
    }
)
_CONFLICTS = {
    "body": _BODY_SLOTS,
    "length": frozenset({"fileCount", "contentTypes"}),
    "entry": frozenset({"contentTypes"}),
    "externalUser": frozenset({"member", "externalUser.unknown"}),
}
_MULTI_SLOTS = {"entry": None, "member": 3}


class _Fault(NamedTuple):
    """One way to break a request, and the code it makes the library give."""

    name: str
    code: str
    slot: str
    apply: Callable[[DrawFn, _Plan], None]
    possible: Callable[[UploadStage, Policy], bool] = lambda stage, policy: True


def _compatible(fault: _Fault, chosen: list[_Fault], stage: UploadStage) -> bool:
    slots = [f.slot for f in chosen]
    for slot in slots:
        if fault.slot in _CONFLICTS.get(slot, ()) or slot in _CONFLICTS.get(
            fault.slot, ()
        ):
            return False
    if fault.slot not in slots:
        return True
    capacity = _MULTI_SLOTS.get(fault.slot, 1)
    if fault.slot == "entry":
        capacity = min(stage.max_files, 8)
    return capacity is not None and slots.count(fault.slot) < capacity


def _set_header(plan: _Plan, lower: str, value: Any) -> None:
    plan.headers = [(n, v) for n, v in plan.headers if n.lower() != lower]
    if value is not _DROP:
        plan.headers.append(
            (lower.title() if lower != "x-request-id" else "X-Request-Id", value)
        )


def _auth_missing(draw: DrawFn, plan: _Plan) -> None:
    value = draw(st.sampled_from((_DROP, "", " ", "\t", "\xa0", "  \t ", b"")))
    _set_header(plan, "authorization", value)
    plan.report("auth", "Authorization", "missing-credentials")


_BAD_AUTH = (
    "Basic dXNlcjpwYXNz",
    "Bearer",
    "Bearer ",
    "Bearer  aok_abc",
    "Bearer aok_",
    "Bearer sk_live_abc",
    "Bearer aok_abc def",
    "Bearer aok_abc\n",
    "Bearer aok_a=b",
    "Token aok_abc",
    "Bearer\taok_abc",
    "aok_abc",
    " Bearer aok_abc",
    "Bearer aok_abc ",
    "Bearer aok_ä",
)


def _auth_invalid(draw: DrawFn, plan: _Plan) -> None:
    how = draw(st.sampled_from(("value", "twice")))
    if how == "twice":
        plan.headers.append(("authorization", "Bearer aok_second"))
    else:
        _set_header(plan, "authorization", draw(st.sampled_from(_BAD_AUTH)))
    plan.report("auth", "Authorization", "invalid-credentials")


_BAD_SLUG_EDITS = ("-{}", "{}-", "{}--x", "{}\n", "{}_x", "{}/x", "{}é", "{} x")


def _slug_invalid(draw: DrawFn, plan: _Plan) -> None:
    base = plan.slug if isinstance(plan.slug, str) else "a"
    choice = draw(
        st.sampled_from(("", "a" * (MAX_SLUG + 1), base.upper() + "A", "ABC"))
        | st.sampled_from(_BAD_SLUG_EDITS).map(lambda edit: edit.format(base))
    )
    plan.slug = choice
    plan.report("slug", "slug", "invalid-slug")


def _body_type(draw: DrawFn, plan: _Plan) -> None:
    plan.overridden = True
    plan.body_override = draw(
        st.sampled_from((None, [], "body", 1, True, 1.5, [plan.body], "{}"))
    )


def _make_required(member: str) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        del draw
        plan.body.pop(member, None)
        plan.report(member, member, "required")

    return apply


_NOT_INTEGERS: tuple[Any, ...] = ("3", True, False, 1.5, None, [], {}, "1e2", -0.5)
_NOT_ARRAYS: tuple[Any, ...] = ("image/png", {}, None, 1, {"0": "image/png"}, True)
_NOT_STRINGS: tuple[Any, ...] = (1, None, True, [], {}, 1.5, ["x"])
_NOT_OBJECTS: tuple[Any, ...] = ("alice", [], 1, True, None, [{"name": "x"}])


def _make_wrong_type(
    member: str, pool: tuple[Any, ...]
) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        values = [v for v in pool if v is not None]
        if member in KNOWN_MEMBERS[:3] or not plan.policy.null_as_absent:
            values.append(None)  # null is absent only for optional members
        plan.body[member] = draw(st.sampled_from(values))
        plan.report(member, member, "wrong-type")

    return apply


def _file_count_window(draw: DrawFn, plan: _Plan) -> None:
    low, high = plan.stage.min_files, plan.stage.max_files
    below = [low - 1, -1, -(2**53), -(10**30)] if low > 0 else [-1, -(2**53)]
    above = [high + 1, high + 2, 2**53, 10**30, 1e300, float(high + 1)]
    plan.body["fileCount"] = draw(
        st.sampled_from([v for v in below + above if not (low <= v <= high)])
    )
    plan.report("fileCount", "fileCount", "out-of-window")
    _loosen_length(draw, plan)


def _loosen_length(draw: DrawFn, plan: _Plan) -> None:
    """With fileCount wrong, contentTypes may have any length unreported."""
    need = plan.pending_entries
    wanted = draw(st.integers(max(need, 0), min(plan.stage.max_files, need + 6) + 2))
    _resize(draw, plan, wanted)


def _resize(draw: DrawFn, plan: _Plan, length: int) -> None:
    types: list[Any] = plan.body["contentTypes"]
    entry = media_types(
        accepted_by=plan.stage,
        parameters=not plan.policy.refuse_media_type_parameters,
    )
    junk = st.sampled_from((1, None, "*/*", "not a type", "image/png ", "x" * 300))
    while len(types) < length:
        index = len(types)
        types.append(draw(junk if index >= plan.stage.max_files else entry))
    del types[length:]


def _file_count_wrong(draw: DrawFn, plan: _Plan) -> None:
    _make_wrong_type("fileCount", _NOT_INTEGERS)(draw, plan)
    _loosen_length(draw, plan)


def _file_count_required(draw: DrawFn, plan: _Plan) -> None:
    _make_required("fileCount")(draw, plan)
    _loosen_length(draw, plan)


def _length_mismatch(draw: DrawFn, plan: _Plan) -> None:
    count, high = plan.count, plan.stage.max_files
    need = plan.pending_entries
    options = [n for n in range(need, count + 4) if n != count]
    if high <= 64:
        options.append(high + 1 + draw(st.integers(0, 3)))
    length = draw(st.sampled_from(sorted(set(options))))
    _resize(draw, plan, length)
    plan.report("contentTypes", "contentTypes", "length-mismatch")


def _entry_fault(kind: str) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        types = plan.body["contentTypes"]
        examined = min(len(types), plan.stage.max_files)
        free = [i for i in range(examined) if i not in plan.entry_errors]
        if not free:
            reject()  # pragma: no cover - the plan holds an entry per entry fault
        index = draw(st.sampled_from(free))
        value, code = draw(_bad_entries(kind, plan))
        types[index] = value
        plan.entry_errors[index] = ExpectedError(f"contentTypes[{index}]", code)

    return apply


@st.composite
def _bad_entries(draw: DrawFn, kind: str, plan: _Plan) -> tuple[Any, str]:
    stage = plan.stage
    if kind == "wrong-type":
        return draw(st.sampled_from(_NOT_STRINGS)), "wrong-type"
    good = draw(media_types(accepted_by=stage, parameters=False))
    if kind == "syntax":
        edits = (
            "{} ",
            " {}",
            "{}\n",
            "{}/x",
            "{};=x",
            "{}; charset",
            '{}; a="é"',
            "{}; a=b c",
            "{}\ud800",
            "{},text/csv",
        )
        bad = draw(
            st.sampled_from(edits).map(lambda e: e.format(good))
            | st.sampled_from(("", "png", "image/", "/png", "image png", "imáge/png"))
        )
        return bad, "invalid-media-type"
    if kind == "wildcard":
        kind_part = good.partition("/")[0]
        wild = draw(
            st.sampled_from(
                ("*/*", f"{kind_part}/*", "*/png", f"{kind_part}/x-*", "ima*ge/png")
            )
        )
        return wild, "invalid-media-type"
    if kind == "too-long":
        size = draw(st.sampled_from((MAX_MEDIA_TYPE + 1, 300, 10_000)))
        padded = good + ";p=" + "a" * max(size - len(good) - 3, 1)
        return padded, "invalid-media-type"
    if kind == "parameters":
        return good + draw(st.sampled_from(("; charset=utf-8", ";q=1", ';a="b"'))), (
            "invalid-media-type"
        )
    # format-not-accepted: a concrete type no accepted format admits.
    other = draw(
        st.tuples(_tokens, _tokens)
        .map(lambda p: f"x-{p[0]}/{p[1]}")
        .filter(lambda t: not _accepts(stage, t) and len(t) <= MAX_MEDIA_TYPE)
    )
    return other, "format-not-accepted"


def _has_any(stage: UploadStage, policy: Policy) -> bool:
    del policy
    return not any(f.lower() == "*/*" for f in stage.accepted_formats)


def _text_fault(member: str, kind: str, limit: int) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        value = draw(_bad_texts(kind, limit))
        if member == "clientSubmissionId":
            plan.body[member] = value
            plan.report(member, member, kind)
        else:
            _user_member(draw, plan, value, kind)

    return apply


@st.composite
def _bad_texts(draw: DrawFn, kind: str, limit: int) -> str:
    if kind == "empty":
        return draw(
            st.sampled_from(("", " "))
            | st.text(st.sampled_from(_BLANKS), min_size=1, max_size=4)
        )
    if kind == "too-long":
        size = draw(
            st.sampled_from((limit + 1, limit + 2)) | st.integers(limit + 1, limit + 40)
        )
        return "x" * size
    base: str = draw(_free_text(20))
    bad: str = draw(st.sampled_from([*_C0_AND_DEL, "\ud800", "\udfff"]))
    at = draw(st.integers(0, len(base)))
    return base[:at] + bad + base[at:]


def _user_member(draw: DrawFn, plan: _Plan, value: Any, code: str) -> None:
    user = plan.body.get("externalUser")
    if not isinstance(user, dict):
        user = {}
        plan.body["externalUser"] = user
    free = [n for n in USER_MEMBERS if f"externalUser.{n}" not in plan.errors]
    name = draw(st.sampled_from(free))
    user[name] = value
    plan.report(f"externalUser.{name}", f"externalUser.{name}", code)


def _user_wrong_member(draw: DrawFn, plan: _Plan) -> None:
    pool: list[Any] = [v for v in _NOT_STRINGS if v is not None]
    if not plan.policy.null_as_absent:
        pool.append(None)
    _user_member(draw, plan, draw(st.sampled_from(pool)), "wrong-type")


_UNKNOWN_KEYS = (
    "foo",
    "FileCount",
    "fileCount ",
    "$ref",
    "_x",
    "a b",
    "1abc",
    "é",
    "a.b",
    "a[0]",
    "",
    '"',
    "\\",
    "\n",
    "\ud800",
    "x" * 64,
    "y" * 65,
    "z" * 200,
    "name",
)


def _unknown_members(where: str) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        if where == "body":
            target = plan.body
            known: tuple[str, ...] = KNOWN_MEMBERS
        else:
            user = plan.body.get("externalUser")
            target = user if isinstance(user, dict) else {}
            plan.body["externalUser"] = target
            known = USER_MEMBERS
        keys = draw(
            st.lists(
                st.sampled_from(_UNKNOWN_KEYS) | st.text(max_size=70),
                min_size=1,
                max_size=3,
            )
        )
        for key in keys:
            if key not in known and key not in target:
                target[key] = draw(_json_values)
        if not any(k not in known for k in target):
            target["unknownMember"] = 1  # pragma: no cover - every key drawn known
        # The errors are computed from the final member order.

    return apply


def _webhook_fault(code: str) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        url = draw(_bad_webhooks(code, plan.policy))
        found = code
        if isinstance(url, str) and len(url) > plan.policy.max_webhook_url:
            found = "malformed-url"
        plan.body["webhookUrl"] = url
        plan.report("webhookUrl", "webhookUrl", found)

    return apply


_MALFORMED = (
    "https:/example.com/",
    "https:example.com",
    "https:///example.com/",
    "//example.com/hook",
    "example.com/hook",
    "/hook",
    "",
    "https:",
    "https://",
    "https://?x",
    "https://#x",
    "https://[::1/",
    "https://exa[mple.com/",
    "https://[::1]x/",
    "https://[1.2.3.4]/",
    "https://[]/",
    "https://[example.com]/",
    "https://:443/",
    "https://example.com:0/",
    "https://example.com:65536/",
    "https://example.com:80:443/",
    "https://example.com:abc/",
    "https://example.com:/",
    "https://example.com:-1/",
    "https://example.com:４４３/",
    "https://256.1.1.1/",
    "https://1.2.3.4.5/",
    "https://4294967296/",
    "https://09.0.0.1/",
    "https://0179.0.0.1/",
    "https://foo.1/",
    "https://foo.0x/",
    "https://-bad.example/",
    "https://bad-.example/",
    "https://a..b/",
    "https://" + "a" * 64 + ".example/",
    "https://💩.la/",
    "https://ex!ample.com/",
    "https://example.com../",
    "https://" + ".".join(["a" * 63] * 4) + "/",
)
_OFFENDING = (
    " ",
    "\t",
    "\n",
    "\r",
    "\xa0",
    "\u3000",
    "\u2028",
    "\x85",
    "\x00",
    "\x1f",
    "\x7f",
    "\x9f",
    "\ud800",
    "\\",
    "\u200b",
    "\xad",
    "\u200e",
    "\u202e",
    "\u2066",
    "\ufeff",
    "\u2060",
)
_NOT_HTTPS = (
    "http://example.com/hook",
    "HTTP://example.com/",
    "ftp://example.com/",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "data:text/plain,hi",
    "wss://example.com/",
    "httpss://example.com/",
    "h://x",
)
_CREDENTIALS = (
    "https://user:pass@example.com/",
    "https://user@example.com",
    "https://@example.com/",
    "https://a@b@example.com/",
    "https://example.com@evil.example/",
    "https://user@[::1]/",
)
_AMBIGUOUS = (
    "https://[fe80::1%25eth0]/",
    "https://[::1%eth0]/",
    "https://ex%61mple.com/",
    "https://%6c%6f%63%61%6c%68%6f%73%74/",
)


@st.composite
def _bad_webhooks(draw: DrawFn, code: str, policy: Policy) -> Any:
    if code == "wrong-type":
        pool: list[Any] = [1, [], {}, True, ["https://example.com/"]]
        if not policy.null_as_absent:
            pool.append(None)
        return draw(st.sampled_from(pool))
    if code == "malformed-url":
        good = draw(_public_urls(policy))
        at = draw(st.integers(0, len(good)))
        inserted = good[:at] + draw(st.sampled_from(_OFFENDING)) + good[at:]
        too_long = "https://example.com/" + "a" * (
            policy.max_webhook_url - 19 + draw(st.integers(0, 3))
        )
        return draw(st.sampled_from((*_MALFORMED, inserted, too_long)))
    if code == "not-https":
        return draw(st.sampled_from(_NOT_HTTPS))
    if code == "credentials-in-url":
        return draw(st.sampled_from(_CREDENTIALS))
    if code == "ambiguous-host":
        pool = list(_AMBIGUOUS)
        if policy.allow_ip_literals:
            value = draw(_public_v4)
            pool += [
                f"https://{s}/"
                for s in _v4_spellings(value)[1:]
                if s != str(ipaddress.IPv4Address(value))
            ]
            pool += [f"https://[{s}]/" for s in _v6_embeddings(value)]
        return draw(st.sampled_from(pool))
    if code == "host-not-public":
        if not policy.allow_ip_literals and draw(st.booleans()):
            return f"https://{draw(_public_literals())}/"
        return draw(_non_public_urls(policy))
    # port-not-allowed
    port = draw(st.sampled_from(_disallowed_ports(policy)))
    return f"https://{draw(_public_names())}:{port}/"


def _metadata_fault(kind: str) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        python = plan.python
        if kind == "wrong-type":
            pool: list[Any] = ["meta", [], 1, True, [{"a": 1}]]
            if not plan.policy.null_as_absent:
                pool.append(None)
            plan.body["metadata"] = draw(st.sampled_from(pool))
            plan.report("metadata", "metadata", "wrong-type")
            return
        if kind == "too-large":
            plan.body["metadata"] = draw(_too_large_metadata())
            plan.report("metadata", "metadata", "metadata-too-large")
            return
        if kind == "too-many":
            extra = (
                plan.policy.max_errors
                + 1
                + draw(st.sampled_from((0, 1)) | st.integers(0, 20))
            )
            plan.body["metadata"] = {f"m{i}": None for i in range(extra)}
            for _ in range(extra):
                plan.report("metadata", "metadata", "metadata-invalid-value")
            return
        code = "metadata-" + kind
        count = draw(st.integers(1, 3))
        faulty = [draw(_bad_member(code, python)) for _ in range(count)]
        plan.body["metadata"] = _insert_members(draw, faulty)
        for _ in range(count):
            plan.report("metadata", "metadata", code)

    return apply


def _request_id_fault(kind: str) -> Callable[[DrawFn, _Plan], None]:
    def apply(draw: DrawFn, plan: _Plan) -> None:
        if kind == "too-long":
            size = draw(
                st.sampled_from((MAX_REQUEST_ID + 1, 200)) | st.integers(129, 300)
            )
            _set_header(
                plan,
                "x-request-id",
                draw(st.text(_VCHAR, min_size=size, max_size=size)),
            )
        elif draw(st.integers(0, 5)) == 5:
            _set_header(plan, "x-request-id", "abc")
            plan.headers.append(("x-request-id", "def"))
        else:
            value = draw(
                st.sampled_from(("", "a b", "é", "\x7f", "abc\n", "\t", " abc", "日本"))
            )
            _set_header(plan, "x-request-id", value)
        plan.report(
            "requestId",
            "X-Request-Id",
            "invalid-header-value" if kind == "value" else "too-long",
        )

    return apply


def _unknown_allowed(stage: UploadStage, policy: Policy) -> bool:
    del stage
    return not policy.ignore_unknown_members


def _has_files(stage: UploadStage, policy: Policy) -> bool:
    del policy
    return stage.max_files >= 1


_FAULTS: tuple[_Fault, ...] = (
    _Fault("file-count-required", "required", "fileCount", _file_count_required),
    _Fault("file-count-type", "wrong-type", "fileCount", _file_count_wrong),
    _Fault("file-count-window", "out-of-window", "fileCount", _file_count_window),
    _Fault(
        "types-required", "required", "contentTypes", _make_required("contentTypes")
    ),
    _Fault(
        "types-type",
        "wrong-type",
        "contentTypes",
        _make_wrong_type("contentTypes", _NOT_ARRAYS),
    ),
    _Fault("types-length", "length-mismatch", "length", _length_mismatch),
    _Fault("entry-type", "wrong-type", "entry", _entry_fault("wrong-type"), _has_files),
    _Fault(
        "entry-syntax",
        "invalid-media-type",
        "entry",
        _entry_fault("syntax"),
        _has_files,
    ),
    _Fault(
        "entry-wildcard",
        "invalid-media-type",
        "entry",
        _entry_fault("wildcard"),
        _has_files,
    ),
    _Fault(
        "entry-too-long",
        "invalid-media-type",
        "entry",
        _entry_fault("too-long"),
        _has_files,
    ),
    _Fault(
        "entry-parameters",
        "invalid-media-type",
        "entry",
        _entry_fault("parameters"),
        lambda stage, policy: (
            stage.max_files >= 1 and policy.refuse_media_type_parameters
        ),
    ),
    _Fault(
        "entry-format",
        "format-not-accepted",
        "entry",
        _entry_fault("format"),
        lambda stage, policy: stage.max_files >= 1 and _has_any(stage, policy),
    ),
    _Fault(
        "id-required",
        "required",
        "clientSubmissionId",
        _make_required("clientSubmissionId"),
    ),
    _Fault(
        "id-type",
        "wrong-type",
        "clientSubmissionId",
        _make_wrong_type("clientSubmissionId", _NOT_STRINGS),
    ),
    _Fault(
        "id-string",
        "invalid-string",
        "clientSubmissionId",
        _text_fault("clientSubmissionId", "invalid-string", 0),
    ),
    _Fault(
        "id-empty",
        "empty",
        "clientSubmissionId",
        _text_fault("clientSubmissionId", "empty", 0),
    ),
    _Fault(
        "id-too-long",
        "too-long",
        "clientSubmissionId",
        lambda draw, plan: _text_fault(
            "clientSubmissionId", "too-long", plan.policy.max_client_submission_id
        )(draw, plan),
        lambda stage, policy: policy.max_client_submission_id <= 100_000,
    ),
    _Fault("webhook-type", "wrong-type", "webhookUrl", _webhook_fault("wrong-type")),
    _Fault(
        "webhook-malformed",
        "malformed-url",
        "webhookUrl",
        _webhook_fault("malformed-url"),
    ),
    _Fault("webhook-scheme", "not-https", "webhookUrl", _webhook_fault("not-https")),
    _Fault(
        "webhook-credentials",
        "credentials-in-url",
        "webhookUrl",
        _webhook_fault("credentials-in-url"),
    ),
    _Fault(
        "webhook-ambiguous",
        "ambiguous-host",
        "webhookUrl",
        _webhook_fault("ambiguous-host"),
    ),
    _Fault(
        "webhook-private",
        "host-not-public",
        "webhookUrl",
        _webhook_fault("host-not-public"),
    ),
    _Fault(
        "webhook-port",
        "port-not-allowed",
        "webhookUrl",
        _webhook_fault("port-not-allowed"),
        lambda stage, policy: (
            bool(_disallowed_ports(policy)) and bool(_allowed_ports(policy))
        ),
    ),
    _Fault("metadata-type", "wrong-type", "metadata", _metadata_fault("wrong-type")),
    _Fault(
        "metadata-large", "metadata-too-large", "metadata", _metadata_fault("too-large")
    ),
    _Fault(
        "metadata-deep", "metadata-too-deep", "metadata", _metadata_fault("too-deep")
    ),
    _Fault(
        "metadata-value",
        "metadata-invalid-value",
        "metadata",
        _metadata_fault("invalid-value"),
    ),
    _Fault(
        "too-many-errors",
        "too-many-errors",
        "metadata",
        _metadata_fault("too-many"),
        lambda stage, policy: policy.max_errors <= 1000,
    ),
    _Fault(
        "user-type",
        "wrong-type",
        "externalUser",
        _make_wrong_type("externalUser", _NOT_OBJECTS),
    ),
    _Fault("user-member-type", "wrong-type", "member", _user_wrong_member),
    _Fault(
        "user-member-string",
        "invalid-string",
        "member",
        _text_fault("user", "invalid-string", 0),
    ),
    _Fault("user-member-empty", "empty", "member", _text_fault("user", "empty", 0)),
    _Fault(
        "user-member-long",
        "too-long",
        "member",
        _text_fault("user", "too-long", MAX_USER_MEMBER),
    ),
    _Fault(
        "user-unknown",
        "unknown-field",
        "externalUser.unknown",
        _unknown_members("user"),
        _unknown_allowed,
    ),
    _Fault(
        "unknown",
        "unknown-field",
        "unknown",
        _unknown_members("body"),
        _unknown_allowed,
    ),
    _Fault(
        "request-id-value",
        "invalid-header-value",
        "requestId",
        _request_id_fault("value"),
    ),
    _Fault("request-id-long", "too-long", "requestId", _request_id_fault("too-long")),
    _Fault("body-type", "wrong-type", "body", _body_type),
    _Fault("auth-missing", "missing-credentials", "auth", _auth_missing),
    _Fault("auth-invalid", "invalid-credentials", "auth", _auth_invalid),
    _Fault("slug", "invalid-slug", "slug", _slug_invalid),
)

#: Every code `invalid_create_session_requests` can label.
FAULT_CODES = frozenset(f.code for f in _FAULTS)
# Faults apply in this order, so the ones that fix lengths come first.
_APPLY_ORDER = {"fileCount": 0, "contentTypes": 1, "length": 2, "entry": 3}


def invalid_create_session_requests(
    *,
    stage: UploadStage | SearchStrategy[UploadStage] | None = None,
    policy: Policy | None = None,
    codes: Collection[str] | None = None,
    max_faults: int = 1,
    python_values: bool = False,
) -> SearchStrategy[CreateSessionRequest]:
    """Requests with deliberate faults, labelled with the errors they give.

    Each request carries ``status`` (401, 404 or 422) and ``errors``: the
    ``(field, code)`` pairs the library must report, in contract order,
    capped as the policy caps them. ``codes`` limits the faults to those
    giving these codes; ``max_faults`` allows several faults at once, and
    then the interactions apply (401 and 404 hide the rest, a wrong
    ``fileCount`` hides the length check). ``python_values`` adds faults
    JSON cannot carry (tuples, NaN, huge integers, non-string keys).
    """
    stages = _stage_strategy(stage)
    checked = _check_policy(policy, strict=True)
    _check_int("max_faults", max_faults, minimum=1)
    _check_bool("python_values", python_values)
    faults = list(_FAULTS)
    if codes is not None:
        if isinstance(codes, str) or not isinstance(codes, Collection):
            raise InvalidArgument(f"codes={codes!r} must be a collection of codes")
        unknown = set(codes) - FAULT_CODES
        if unknown or not codes:
            raise InvalidArgument(
                f"codes: {sorted(map(repr, unknown)) or 'empty'}; choose from"
                f" {sorted(FAULT_CODES)}"
            )
        faults = [f for f in faults if f.code in codes]
    faults = [f for f in faults if _possible_somewhere(f, checked)]
    if isinstance(stage, UploadStage):
        faults = [f for f in faults if f.possible(stage, checked)]
    if not faults:
        raise InvalidArgument("no fault with these codes fits this stage and policy")
    return _invalid_requests(
        stages,
        checked,
        given_policy=policy,
        faults=tuple(faults),
        max_faults=max_faults,
        python_values=python_values,
    )


def _possible_somewhere(fault: _Fault, policy: Policy) -> bool:
    probe = UploadStage(1, 1, ("image/png",))
    return fault.possible(probe, policy)


@st.composite
def _invalid_requests(
    draw: DrawFn,
    stages: SearchStrategy[UploadStage],
    policy: Policy,
    *,
    given_policy: Policy | None,
    faults: tuple[_Fault, ...],
    max_faults: int,
    python_values: bool,
) -> CreateSessionRequest:
    stage = draw(stages)
    if stage.min_files > MAX_BUILT_FILES:
        reject()
    usable = [f for f in faults if f.possible(stage, policy)]
    if not usable:
        reject()
    chosen: list[_Fault] = []
    for _ in range(draw(st.integers(1, max_faults))):
        options = [f for f in usable if _compatible(f, chosen, stage)]
        if not options:
            break
        chosen.append(draw(st.sampled_from(options)))
    entries = sum(f.slot == "entry" for f in chosen)
    plan = draw(_plans(stage, policy, need_entries=entries))
    plan.pending_entries = entries
    plan.python = python_values
    for fault in sorted(chosen, key=lambda f: _APPLY_ORDER.get(f.slot, 9)):
        fault.apply(draw, plan)
    if python_values:
        _python_touches(draw, plan)
    request = _finish(draw, plan)
    return _replace_policy(request, given_policy)


def _python_touches(draw: DrawFn, plan: _Plan) -> None:
    """Swap some JSON values for Python values the contract reads the same."""
    wrong = {
        e.field for errs in plan.errors.values() for e in errs if e.code == "wrong-type"
    }
    if "fileCount" in wrong and draw(st.booleans()):
        plan.body["fileCount"] = draw(
            st.sampled_from((Decimal(1), b"1", (1,), float("nan"), float("inf"), 1j))
        )
    if "metadata" in wrong and draw(st.booleans()):
        plan.body["metadata"] = draw(st.sampled_from(((("a", 1),), b"{}", {1, 2})))
    if plan.overridden and draw(st.booleans()):
        plan.body_override = draw(
            st.sampled_from(((1, 2), b"{}", frozenset(), object()))
        )
