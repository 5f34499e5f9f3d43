"""The layouts of the pushes and of the control channel's messages
(codegen/messages.toml): one struct a message (and a record a nested
array of fixed fields), the C++ that encodes and decodes each field, and what
the round-trip test feeds each field. Checked against protocol/message.h's
Kind, protocol/callback_kind.h's CallbackKind and private_calls.toml's
[control.*]: every push, every callback kind and every control message is
described."""

import re
import tomllib
from dataclasses import dataclass, field

from model import AnnotationError

SOURCE = "codegen/messages.toml"

INTS = {"u8": "std::uint8_t", "u16": "std::uint16_t", "u32": "std::uint32_t", "u64": "std::uint64_t",
        "i32": "std::int32_t", "i64": "std::int64_t"}
# Kinds that are not pushes: the request and its reply (the calls' own layouts).
NOT_PUSHES = {"Request", "Reply"}


@dataclass
class Type:
    name: str                  # as written: "optional<array<bulk>>"
    kind: str                  # int, bool, string, bytes, bulk, optional, array, record
    element: "Type | None" = None
    record: "Record | None" = None  # record: its fields (resolved after loading)
    max: int | None = None     # string, bytes, array: the most bytes or elements
    count: int | None = None   # array: exactly so many elements

    @property
    def cpp(self):
        if self.name == "ids":
            return "IdList"
        if self.kind == "int":
            return INTS[self.name]
        if self.kind == "bool":
            return "bool"
        if self.kind in ("string", "bytes"):
            return "std::string"
        if self.kind == "bulk":
            return "zmq::message_t"
        if self.kind == "optional":
            return f"std::optional<{self.element.cpp}>"
        if self.kind == "record":
            return self.name[len("record<"):-1]
        if self.count is not None:
            return f"std::array<{self.element.cpp}, {self.count}>"
        return f"std::vector<{self.element.cpp}>"

    @property
    def has_bulk(self):
        return self.kind == "bulk" or (self.element is not None and self.element.has_bulk)

    @property
    def wire(self):
        """The test's expectation of the value (pushes_test.cpp.j2, `Wire`)."""
        if self.kind == "optional":
            return self.element.wire
        return {"int": "Int" if self.name.startswith("i") else "Uint", "bool": "Bool", "string": "Str",
                "bytes": "Bin", "bulk": "Bulk", "array": "Array", "record": "Array"}[self.kind]


def parse_type(text, where):
    text = text.replace(" ", "")
    if text in INTS:
        return Type(text, "int")
    if text in ("bool", "string", "bytes", "bulk"):
        return Type(text, text)
    if text == "ids":  # object ids (a wait list): an array of u64 held in an IdList (rcl/protocol/id_list.h)
        return Type(text, "array", Type("u64", "int"))
    m = re.fullmatch(r"record<(\w+)>", text)
    if m is not None:
        return Type(text, "record")
    m = re.fullmatch(r"(optional|array)<(.+)>", text)
    if m is None:
        raise AnnotationError(f"{where}: unknown type {text!r}")
    return Type(text, m.group(1), parse_type(m.group(2), where))


def limited(t):
    """The type a field's max/count applies to: the first one under optional<>."""
    while t.kind == "optional":
        t = t.element
    return t


# ------------------------------------------------------------ the C++ code
def call(value, method):
    """`value.method`, or `x->method` when value is `*x`."""
    return f"{value[1:]}->{method}" if value.startswith("*") else f"{value}.{method}"


def member(value, name):
    """`value.name`, or `x->name` when value is `*x`."""
    return call(value, name)


def encode(t, value, depth=0):
    """Statements writing `value` of type t with the Writer `w`."""
    if t.kind == "int":
        return [f"w.integer({value});"]
    if t.kind == "bool":
        return [f"w.boolean({value});"]
    if t.kind == "string":
        return [f"w.str({value});"]
    if t.kind == "bytes":
        return [f"w.bin({call(value, 'data()')}, {call(value, 'size()')});"]
    if t.kind == "bulk":
        return [f"w.bulkMove(std::move({value}));"]
    if t.kind == "record":
        lines = [f"w.array({len(t.record.fields)});"]
        for f in t.record.fields:
            lines += encode(f.type, member(value, f.name), depth)
        return lines
    if t.kind == "optional":
        inner = encode(t.element, f"*{value}", depth)
        return [f"if ({value}) {{", *("  " + s for s in inner), "} else {", "  w.nil();", "}"]
    e = f"e{depth}"
    inner = encode(t.element, e, depth + 1)
    ref = "auto&" if t.element.has_bulk else "const auto&"
    return [f"w.array(static_cast<std::uint32_t>({call(value, 'size()')}));",
            f"for ({ref} {e} : {value}) {{", *("  " + s for s in inner), "}"]


def decode(t, target, label, depth=0):
    """Statements reading into `target` (of type t) from the Reader `r`,
    refusing a wrong type, an integer out of range, a count or length over its
    limit and a bulk frame named twice; errors name `label`."""
    q = f'"{label}"'
    if t.kind == "int":
        return [f"{target} = fields::integer<{t.cpp}>(r, {q});"]
    if t.kind == "bool":
        return [f"{target} = fields::boolean(r, {q});"]
    if t.kind in ("string", "bytes"):
        return [f"{target} = fields::{t.kind}(r, {q}, {t.max});"]
    if t.kind == "bulk":
        return [f"{target} = bulk.take(r, {q});"]
    if t.kind == "record":
        n = len(t.record.fields)
        lines = [f"fields::count(r, {q}, {n}, {n});"]
        for f in t.record.fields:
            lines += decode(f.type, member(target, f.name), f"{label}.{f.name}", depth)
        return lines
    if t.kind == "optional":
        inner = decode(t.element, f"*{target}", label, depth)
        return ["if (!r.isNil()) {", f"  {target}.emplace();", *("  " + s for s in inner), "}"]
    e = f"e{depth}"
    if t.name == "ids":
        return [f"for (auto {e} = fields::count(r, {q}, 0, {t.max}); {e} > 0; --{e})",
                f"  {call(target, 'push_back')}(fields::integer<std::uint64_t>(r, \"{label}[]\"));"]
    inner = decode(t.element, e, label + "[]", depth + 1)
    if t.count is not None:
        head = [f"fields::count(r, {q}, {t.count}, {t.count});"]
    else:
        head = [f"{call(target, 'resize')}(fields::count(r, {q}, 0, {t.max}));"]
    return [*head, f"for (auto& {e} : {target}) {{", *("  " + s for s in inner), "}"]


@dataclass
class Field:
    name: str
    type: Type
    doc: str
    trailing: bool = False
    version: bool = False     # the protocol version: read before the rest (decodeVersion)

    @property
    def cpp(self):
        return f"std::optional<{self.type.cpp}>" if self.trailing else self.type.cpp

    @property
    def limit(self):
        t = limited(self.type)
        return t.max if t.max is not None else t.count

    @property
    def exact(self):
        return limited(self.type).count is not None

    # What the round-trip test tries at the top level: a record is an array
    # of exactly so many values.
    @property
    def slot_limit(self):
        t = limited(self.type)
        return len(t.record.fields) if t.kind == "record" else self.limit

    @property
    def slot_exact(self):
        return limited(self.type).kind == "record" or self.exact


@dataclass
class Record:
    name: str
    doc: str
    fields: list

    @property
    def where(self):
        return f"[records.{self.name}] in {SOURCE}"


@dataclass
class Message:
    name: str
    doc: str
    fields: list
    group: str                # "pushes", "callbacks" or "control"
    seq: bool = False
    args: str = ""            # "callback": CallbackArgs follow
    struct: str = ""          # the C++ name
    role: str = ""            # control: "request" or "reply"; replies: "reply"; requests: "request"
    calls: list = field(default_factory=list)  # requests: the calls laid out so (empty: the call NAME alone)
    extensible: bool = False  # control: values past its last field are a newer sender's, skipped

    @property
    def ns(self):
        """The generated struct's namespace under rcl::protocol."""
        return "calls" if self.group in ("replies", "requests") else "control"

    @property
    def call_enum(self):
        """A request's id: ControlCall (control channel) or CallId (calls channel)."""
        return "CallId" if self.group == "requests" else "ControlCall"

    @property
    def has_bulk(self):
        return any(f.type.has_bulk for f in self.fields)

    @property
    def call_names(self):
        """The calls whose requests this message lays out."""
        return self.calls or [self.name]

    @property
    def where(self):
        return f"[{self.group}.{self.name}] in {SOURCE}" + (f" ({self.role})" if self.role else "")

    def encode_lines(self):
        lines, opened = [], 0
        for f in self.fields:
            if f.trailing:
                lines += ["  " * opened + f"if ({f.name}) {{"]
                opened += 1
                lines += ["  " * opened + s for s in encode(f.type, f"*{f.name}")]
            else:
                lines += ["  " * opened + s for s in encode(f.type, f.name)]
        for i in reversed(range(opened)):
            lines.append("  " * i + "}")
        return lines

    @property
    def version_field(self):
        """The field read alone first (a control message's protocol version),
        or None: a message of another version is refused by its version before
        the rest of it is checked against this layout."""
        return self.fields[0] if self.fields and self.fields[0].version else None

    def decode_lines(self, target="m", skip_version=False):
        lines = []
        for f in self.fields:
            if skip_version and f.version:
                continue
            label = f"{self.struct_label}.{f.name}"
            if f.trailing:
                inner = decode(f.type, f"*{target}.{f.name}", label)
                lines += ["if (!r.atEnd()) {", f"  {target}.{f.name}.emplace();", *("  " + s for s in inner), "}"]
            else:
                lines += decode(f.type, f"{target}.{f.name}", label)
        return lines

    def nested_slots(self, first):
        """The fields inside records (through an array's first element, an
        optional's value), each as (label, path, field): the path from the
        top-level array (the message's fields start at `first`). The
        round-trip test tries them as the top-level fields."""
        out = []

        def walk(t, path, label):
            t = limited(t)
            if t.kind == "array" and limited(t.element).kind == "record":
                walk(limited(t.element), path + [0], label + "[0]")
            elif t.kind == "record":
                for j, f in enumerate(t.record.fields):
                    out.append((f"{label}.{f.name}", path + [j], f))  # a record: an array of its fields
                    walk(f.type, path + [j], f"{label}.{f.name}")

        for i, f in enumerate(self.fields):
            walk(f.type, [first + i], f.name)
        return out

    @property
    def nested_count(self):
        return len(self.nested_slots(0))

    @property
    def struct_label(self):
        if self.group in ("control", "replies", "requests"):
            return self.struct
        return self.name if self.group == "pushes" else f"Callback({self.name})"


def kinds_of(header, enum):
    """The enumerators of `enum class ENUM` in a header."""
    text = open(header).read()
    m = re.search(r"enum class " + enum + r"\b[^{]*\{(.*?)\};", text, re.S)
    if m is None:
        raise AnnotationError(f"{header}: no enum class {enum}")
    body = re.sub(r"//[^\n]*", "", m.group(1))
    return [re.match(r"\s*(\w+)", e).group(1) for e in body.split(",") if e.strip()]


FIELD_KEYS = {"name", "type", "doc", "max", "count", "element_max", "trailing", "version"}


def load_fields(entries, where, errors, records):
    """One list of fields ([pushes.*], [callbacks.*], a control message's
    request or reply, [records.*]), checked; `records` are those defined above."""
    fields, seen_trailing = [], False
    for i, fe in enumerate(entries):
        fwhere = f"{where} field {i}"
        if set(fe) - FIELD_KEYS:
            errors.append(f"{fwhere}: unknown keys {sorted(set(fe) - FIELD_KEYS)}")
        if not fe.get("name") or not fe.get("type") or not fe.get("doc"):
            errors.append(f"{fwhere}: needs a name, a type and a doc")
            continue
        try:
            t = parse_type(fe["type"], fwhere)
        except AnnotationError as err:
            errors.append(str(err))
            continue
        lt = limited(t)
        if lt.kind in ("string", "bytes"):
            if not isinstance(fe.get("max"), int) or "count" in fe:
                errors.append(f"{fwhere}: a {lt.kind} needs a max (bytes)")
            lt.max = fe.get("max")
        elif lt.kind == "array":
            if ("max" in fe) == ("count" in fe):
                errors.append(f"{fwhere}: an array needs a max or a count of elements")
            lt.max, lt.count = fe.get("max"), fe.get("count")
            if lt.element.kind in ("string", "bytes"):
                if not isinstance(fe.get("element_max"), int):
                    errors.append(f"{fwhere}: an array of {lt.element.kind} needs an element_max (bytes)")
                lt.element.max = fe.get("element_max")
            elif "element_max" in fe:
                errors.append(f"{fwhere}: only arrays of strings or bytes have an element_max")
            inner = lt.element if lt.element.kind not in ("string", "bytes") else None
            while inner is not None:
                if inner.kind in ("string", "bytes", "array"):
                    errors.append(f"{fwhere}: no limit can be given to {inner.name} inside an array")
                inner = inner.element
        elif "max" in fe or "count" in fe:
            errors.append(f"{fwhere}: only strings, bytes and arrays have a max or count")
        inner = t
        while inner is not None:
            if inner.kind == "record":
                rname = inner.name[len("record<"):-1]
                if rname not in records:
                    errors.append(f"{fwhere}: no [records.{rname}] above it")
                else:
                    inner.record = records[rname]
            inner = inner.element
        trailing = bool(fe.get("trailing", False))
        if seen_trailing and not trailing:
            errors.append(f"{fwhere}: after a trailing field every field is trailing")
        if trailing and t.kind == "optional":
            errors.append(f"{fwhere}: a trailing field is optional already")
        seen_trailing |= trailing
        version = bool(fe.get("version", False))
        if version and (i != 0 or t.name != "u32" or trailing):
            errors.append(f"{fwhere}: the version field is a control message's first field, a u32, not trailing")
        fields.append(Field(fe["name"], t, fe["doc"], trailing, version))
    return fields, seen_trailing


def load(path, message_h, callback_kind_h, control_calls=None, calls=None):
    """The pushes, the callbacks' arguments, the records and the control
    messages, checked against message.h, callback_kind.h and the control calls
    of private_calls.toml (`control_calls`: their names)."""
    with open(path, "rb") as f:
        table = tomllib.load(f)
    errors, messages, records = [], [], {}
    for group, entries in table.items():
        if group not in ("pushes", "callbacks", "records", "control", "replies", "requests"):
            errors.append(f"[{group}]: not a group (pushes, callbacks, records, control, replies, requests)")
            continue
        for name, e in entries.items():
            where = f"[{group}.{name}]"
            allowed = {"pushes": {"doc", "seq", "fields", "args"}, "callbacks": {"fields"},
                       "records": {"doc", "fields"}, "control": {"doc", "request", "reply", "extensible"},
                       "replies": {"doc", "reply"}, "requests": {"doc", "request", "calls"}}[group]
            if set(e) - allowed:
                errors.append(f"{where}: unknown keys {sorted(set(e) - allowed)}")
            if group != "callbacks" and not e.get("doc"):
                errors.append(f"{where}: needs a doc")
            if group == "records":
                fields, trailing = load_fields(e.get("fields", []), where, errors, records)
                if trailing or any(f.type.has_bulk for f in fields):
                    errors.append(f"{where}: a record has no trailing fields and no bulk frames")
                if any(f.version for f in fields):
                    errors.append(f"{where}: only a control message has a version field")
                records[name] = Record(name, e.get("doc", ""), fields)
                continue
            if group == "requests":
                if "request" not in e:
                    errors.append(f"{where}: needs a request (its fields, maybe [])")
                fields, _ = load_fields(e.get("request", []), f"{where} request", errors, records)
                if any(f.type.has_bulk for f in fields) or any(f.version for f in fields):
                    errors.append(f"{where} request: a described call request has no bulk frames and no version field")
                m = Message(name, e.get("doc", ""), fields, group, True, "", role="request")
                m.struct = name
                m.calls = e.get("calls", [])
                if not isinstance(m.calls, list) or not all(isinstance(c, str) for c in m.calls):
                    errors.append(f"{where}: calls is a list of [calls.NAME] names")
                    m.calls = []
                messages.append(m)
                continue
            if group == "replies":
                fields, _ = load_fields(e.get("reply", []), f"{where} reply", errors, records)
                if any(f.type.has_bulk for f in fields) or any(f.version for f in fields):
                    errors.append(f"{where} reply: a described call reply has no bulk frames and no version field")
                m = Message(name, e.get("doc", ""), fields, group, True, "", role="reply")
                m.struct = f"{name}Reply"
                messages.append(m)
                continue
            if group == "control":
                if "request" not in e:
                    errors.append(f"{where}: needs a request (its fields, maybe [])")
                for role in ("request", "reply"):
                    if role not in e:
                        continue
                    fields, _ = load_fields(e[role], f"{where} {role}", errors, records)
                    if any(f.type.has_bulk for f in fields):
                        errors.append(f"{where} {role}: a control message has no bulk frames")
                    m = Message(name, e.get("doc", ""), fields, group, True, "", role=role)
                    m.struct = name if role == "request" else f"{name}Reply"
                    m.extensible = e.get("extensible", False) is True
                    if "extensible" in e and not isinstance(e["extensible"], bool):
                        errors.append(f"{where}: extensible is true or false")
                    messages.append(m)
                continue
            if e.get("args", "callback") != "callback":
                errors.append(f"{where}: args is \"callback\" or absent")
            fields, seen_trailing = load_fields(e.get("fields", []), where, errors, records)
            if any(f.version for f in fields):
                errors.append(f"{where}: only a control message has a version field")
            m = Message(name, e.get("doc", ""), fields, group, bool(e.get("seq", False)), e.get("args", ""))
            if m.args and seen_trailing:
                errors.append(f"{where}: a push with args has no trailing fields")
            m.struct = name if group == "pushes" else f"CallbackArgs<CallbackKind::{name}>"
            messages.append(m)
    for m in messages:
        if m.group in ("pushes", "callbacks") and any(limited(f.type).kind == "record" for f in m.fields):
            errors.append(f"{m.where}: records are for control messages")
    pushes = [m.name for m in messages if m.group == "pushes"]
    for kind in kinds_of(message_h, "Kind"):
        if kind not in NOT_PUSHES and kind not in pushes:
            errors.append(f"Kind::{kind} ({message_h}) has no [pushes.{kind}]")
    for name in pushes:
        if name not in kinds_of(message_h, "Kind"):
            errors.append(f"[pushes.{name}]: no Kind::{name} in {message_h}")
    callbacks = [m.name for m in messages if m.group == "callbacks"]
    kinds = kinds_of(callback_kind_h, "CallbackKind")
    if sorted(callbacks) != sorted(kinds):
        errors.append(f"[callbacks.*] ({sorted(callbacks)}) must be CallbackKind's ({sorted(kinds)}, {callback_kind_h})")
    if control_calls is not None:
        described = sorted({m.name for m in messages if m.group == "control"})
        if described != sorted(control_calls):
            errors.append(f"[control.*] ({described}) must be private_calls.toml's [control.*] ({sorted(control_calls)})")
    if calls is not None:
        for m in messages:
            if m.group == "replies" and m.name not in calls:
                errors.append(f"{m.where}: no [calls.{m.name}] in private_calls.toml")
            if m.group == "requests":
                for name in m.call_names:
                    if name not in calls:
                        errors.append(f"{m.where}: no [calls.{name}] in private_calls.toml")
        laid_out = [n for m in messages if m.group == "requests" for n in m.call_names]
        for name in {n for n in laid_out if laid_out.count(n) > 1}:
            errors.append(f"[calls.{name}]'s request is described twice in [requests.*]")
    if errors:
        raise AnnotationError("\n".join(f"{SOURCE}: {e}" for e in errors))
    return messages, list(records.values())


@dataclass
class Description:
    pushes: list = field(default_factory=list)
    callbacks: list = field(default_factory=list)
    records: list = field(default_factory=list)
    control: list = field(default_factory=list)   # each message's request, then its reply; then [replies.*], [requests.*]

    def limited_slots(self, messages):
        """How many top-level fields of `messages` have a limit the test tries."""
        return sum(1 for m in messages for f in m.fields if f.slot_limit is not None)

    @property
    def requests(self):
        """The calls channel's described requests ([requests.*]): each call's
        name, to the struct that lays it out (protocol::calls::STRUCT)."""
        return {name: m.struct for m in self.control if m.group == "requests" for name in m.call_names}


def describe(path, message_h, callback_kind_h, control_calls=None, calls=None):
    messages, records = load(path, message_h, callback_kind_h, control_calls, calls)
    return Description([m for m in messages if m.group == "pushes"], [m for m in messages if m.group == "callbacks"],
                       records, [m for m in messages if m.group in ("control", "replies", "requests")])
