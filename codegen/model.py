"""The generator's model of the OpenCL API: the dispatch table order and each
entry point's prototype, read from the installed headers (preprocessed by the
C compiler), joined with the annotations of opencl_calls.toml."""

import re
import subprocess
import tomllib
from dataclasses import dataclass, field, replace

# Handle types and the error code the spec gives for an invalid one.
HANDLE_TYPES = {
    "cl_platform_id": "CL_INVALID_PLATFORM",
    "cl_device_id": "CL_INVALID_DEVICE",
    "cl_context": "CL_INVALID_CONTEXT",
    "cl_command_queue": "CL_INVALID_COMMAND_QUEUE",
    "cl_mem": "CL_INVALID_MEM_OBJECT",
    "cl_program": "CL_INVALID_PROGRAM",
    "cl_kernel": "CL_INVALID_KERNEL",
    "cl_event": "CL_INVALID_EVENT",
    "cl_sampler": "CL_INVALID_SAMPLER",
    "cl_command_buffer_khr": "CL_INVALID_COMMAND_BUFFER_KHR",
}

CLASSES = {"sync", "async", "info", "retain", "release", "unsupported"}
ROLES = {"in", "string", "strings", "source", "build_options", "blobs", "lengths", "props", "value", "bulk",
         "out", "errcode", "event", "callback", "user_data", "svm", "mutable", "kernel_arg", "unsent",
         "svm_addresses", "buffer_host", "read_event", "pieces"}
# Roles only a call hand-written on both sides takes (its hand-written code
# fills and decodes its struct; no generated stub or handler knows them).
HAND_ROLES = {"unsent", "svm_addresses", "buffer_host", "read_event", "pieces"}
# The kinds of a tail wire field (at a request's end): its C++ type and its absent value.
TAIL_TYPES = {"u64": ("std::uint64_t", "0"), "bool": ("bool", "false")}
INFO_PARAMS = ("param_value_size", "param_value", "param_value_size_ret")

# Conventional parameters: the role they get when the annotations name none,
# if the parameter is of the type (element type, number of '*') and the call
# has the parameter that counts it. An annotation overrides its default.
#   name                    type                         role                                  needs
CONVENTIONAL = {
    "event_wait_list":      (("cl_event", 1),              "in len=num_events_in_wait_list",     "num_events_in_wait_list"),
    "event_list":           (("cl_event", 1),              "in len=num_events",                  "num_events"),
    "event":                (("cl_event", 1),              "event",                              None),
    "errcode_ret":          (("cl_int", 1),                "errcode",                            None),
    "sync_point_wait_list": (("cl_sync_point_khr", 1),     "in len=num_sync_points_in_wait_list", "num_sync_points_in_wait_list"),
    "sync_point":           (("cl_sync_point_khr", 1),     "out",                                None),
    "mutable_handle":       (("cl_mutable_command_khr", 1), "mutable",                           None),
}

# The kinds of callback, known by the types of their parameters (the
# callback's own user_data last): a function pointer of one of these
# signatures is "callback kind=K" by default, and its call's user_data is
# "user_data". The same names as rcl::protocol::CallbackKind
# (protocol/include/rcl/protocol/callback_kind.h); svm_free is hand-written.
CALLBACK_KINDS = {
    ("const char*", "const void*", "size_t", "void*"): "context_notify",
    ("cl_program", "void*"): "program_notify",
    ("cl_event", "cl_int", "void*"): "event_notify",
    ("cl_mem", "void*"): "mem_destructor",
    ("cl_context", "void*"): "context_destructor",
    ("cl_command_queue", "cl_uint", "void**", "void*"): "svm_free",
}


class AnnotationError(Exception):
    pass


@dataclass
class Param:
    name: str
    decl: str          # the declaration as written, e.g. "const size_t * origin"
    base: str          # the type without const and pointers, e.g. "size_t"
    pointer: int       # number of '*'
    callback: bool     # a function pointer
    role: str = ""     # annotation role ("" for by-value parameters)
    opts: dict = field(default_factory=dict)

    @property
    def is_handle(self):
        return self.base in HANDLE_TYPES and self.pointer == 0 and not self.callback

    @property
    def element_is_handle(self):
        return self.base in HANDLE_TYPES


@dataclass
class Call:
    name: str
    slot: int
    ret: str
    params: list
    cls: str = ""
    client: str = "generated"   # generated | custom | none
    server: str = "generated"   # generated | custom | none
    returns: str = ""
    error: str = ""
    why: str = ""
    optional: list = field(default_factory=list)
    handles: dict = field(default_factory=dict)
    server_filter: str = ""
    immutable: list = field(default_factory=list)
    client_check: bool = False
    runs_long: bool = False
    forwarded: bool = False
    described: bool = False  # hand-written on both sides, its params describe its wire fields
    wire_fields: list = field(default_factory=list)  # a described call's fields that are no parameter (WireField)
    variants: "Variants | None" = None  # a described call's request layouts after a tag (Variants)
    reply_body: str = ""  # a described sync call's reply body: [replies.NAME] of codegen/messages.toml, or nothing

    def param(self, name):
        for p in self.params:
            if p.name == name:
                return p
        raise AnnotationError(f"{self.name}: no parameter named {name}")

    @property
    def inputs(self):
        """Parameters sent to the server (info outputs are implicit)."""
        if self.cls == "info":
            return [p for p in self.params if p.name not in INFO_PARAMS]
        return self.params


@dataclass(frozen=True)
class WireField:
    """A field on the wire that is no parameter of the call (`wire_fields`):
    in the request after parameter `after` ("" first, after a created id), at
    the end of the reply, or (tail) after the request's params."""
    name: str
    kind: str
    doc: str
    after: str = ""
    reply: bool = False
    tail: bool = False  # after the request's params, written only while it or a later tail field is set


@dataclass(frozen=True)
class Variant:
    """One layout of a described call's request after its tag (`variants`):
    its tag on the wire is its place in the list; `call` is the call as it
    travels then (its roles: the call's, the variant's `params` over them)."""
    name: str
    tag: int
    doc: str
    call: "Call"


@dataclass(frozen=True)
class Variants:
    """A described call whose request has several layouts: the parameters up
    to `after` travel as the call says, then the tag `name` (a u8) says which
    of `of` (Variant) follows, in its own roles and wire fields."""
    name: str
    doc: str
    after: str
    of: tuple


@dataclass
class Slot:
    name: str
    index: int
    call: Call | None  # None: the headers give no prototype on this host
    extension: str = ""  # an extension call outside the dispatch table: its extension


EXTENSION_STATUSES = {"forwarded", "masked", "kernel"}


@dataclass
class Extension:
    """A row of [extensions]: an extension a remote platform or device may list."""
    name: str
    status: str               # forwarded | masked | kernel
    functions: list = field(default_factory=list)
    queries: list = field(default_factory=list)   # device info names that belong to it
    why: str = ""
    client: str = ""          # "ops": cl_rcl_ops, answered by icd/src/entry/extension_ops.cpp
    source: str = "annotations"


def preprocess(cc, include_dirs, keep_defines=False):
    defines = ["CL_TARGET_OPENCL_VERSION=300"] + [
        f"CL_USE_DEPRECATED_OPENCL_{v}_APIS" for v in ("1_0", "1_1", "1_2", "2_0", "2_1", "2_2")]
    # keep_defines: macro definitions and line markers stay (where each extension's block starts and ends).
    flags = ["-E", "-dD"] if keep_defines else ["-E", "-P"]
    cmd = [cc] + flags + ["-x", "c", "-"] + [f"-D{d}" for d in defines] + [f"-I{d}" for d in include_dirs]
    out = subprocess.run(cmd, input="#include <CL/cl_icd.h>\n", capture_output=True, text=True, check=True)
    return re.sub(r"__attribute__\s*\(\(.*?\)\)", "", out.stdout)


def split_params(text):
    """Splits a parameter list at top-level commas."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return [" ".join(p.split()) for p in parts if p.strip() and p.strip() != "void"]


def parse_param(text):
    m = re.match(r"^(.*)\(\s*\*\s*(\w+)\s*\)\s*\((.*)\)$", text)
    if m:  # function pointer
        return Param(name=m.group(2), decl=text, base="", pointer=1, callback=True)
    text = re.sub(r"(\w+)\s*\[\]$", r"* \1", text)  # "T name[]" is "T* name"
    m = re.match(r"^(.*?)(\w+)$", text)
    type_text, name = m.group(1).strip(), m.group(2)
    pointer = type_text.count("*")
    base = type_text.replace("*", " ").replace("const", " ").split()
    return Param(name=name, decl=text, base=" ".join(base), pointer=pointer, callback=False)


PROTOTYPE = re.compile(r"extern\s+([\w\s\*]+?)\s*\b(cl\w+)\s*\((.*?)\)\s*;", re.S)


def header_extensions(text):
    """{extension: [functions]} from the headers: an extension's block runs
    from its `#define cl_xxx 1` to the next one or the end of its header."""
    text = re.sub(r"__attribute__\s*\(\(.*?\)\)", "", text)
    found = {}
    name = None
    block = []
    def close():
        if name is not None:
            found.setdefault(name, [])
            for m in PROTOTYPE.finditer("\n".join(block)):
                if m.group(2) not in found[name]:
                    found[name].append(m.group(2))
    for line in text.splitlines():
        m = re.match(r"^#define (cl_[A-Za-z0-9_]+) 1\s*$", line)
        if m or re.match(r'^# \d+ "', line):
            close()
            name, block = (m.group(1) if m else None), []
            continue
        if not line.startswith("#"):
            block.append(line)
    close()
    return found


def parse_headers(text):
    body = re.search(r"typedef struct _cl_icd_dispatch \{(.*?)\} cl_icd_dispatch;", text, re.S).group(1)
    slot_names = re.findall(r"cl_api_(\w+)\s+\w+\s*;", body)
    prototypes = parse_prototypes(text)
    slots = []
    for index, name in enumerate(slot_names):
        if name in prototypes:
            ret, params = prototypes[name]
            call = Call(name=name, slot=index, ret=ret, params=[parse_param(p) for p in params])
        else:
            call = None
        slots.append(Slot(name=name, index=index, call=call))
    return slots


def callback_kind(p):
    """The CALLBACK_KINDS name of a function pointer parameter, or None."""
    m = re.match(r"^.*\(\s*\*\s*\w+\s*\)\s*\((.*)\)$", p.decl)
    if m is None:
        return None
    types = []
    for text in split_params(m.group(1)):
        text = re.sub(r"(\w+)\s*\[\]$", r"* \1", text)  # "T name[]" is "T* name"
        named = re.match(r"^(.*?[\w*])\s*\b(\w+)$", text)
        if named is None or named.group(1).strip() in ("", "const"):
            return None  # an unnamed parameter: not one of the kinds
        types.append(re.sub(r"\s*\*", "*", " ".join(named.group(1).split())))
    return CALLBACK_KINDS.get(tuple(types))


def default_role(call, p):
    """The role text a conventional parameter gets without an annotation, or None."""
    if p.callback:
        kind = callback_kind(p)
        return f"callback kind={kind}" if kind else None
    if p.name == "user_data" and (p.base, p.pointer) == ("void", 1):
        return "user_data" if any(q.callback and callback_kind(q) for q in call.params) else None
    conventional = CONVENTIONAL.get(p.name)
    if conventional is None:
        return None
    (base, pointer), role, needs = conventional
    if (p.base, p.pointer) != (base, pointer):
        return None
    if needs is not None and needs not in (q.name for q in call.params):
        return None
    return role


def parse_role(text):
    words = text.split()
    role, opts = words[0], {}
    for w in words[1:]:
        if "=" in w:
            k, v = w.split("=", 1)
            opts[k] = v
        else:
            opts[w] = True
    return role, opts


def annotate(slots, annotations, prototypes=None):
    """Joins prototypes with annotations; raises AnnotationError on anything
    the annotations do not explain. Extension calls (annotated with
    `extension`) are appended to the slots, numbered after the dispatch table."""
    known = {s.name for s in slots}
    prototypes = prototypes or {}
    for name, a in annotations.items():
        if name == "extensions" or name in known:
            continue
        if "extension" not in a:
            raise AnnotationError(f"{name}: annotated but not in the dispatch table (nor an extension call)")
        if "prototype" in a:
            m = PROTOTYPE.search("extern " + a["prototype"] + ";")
            if m is None or m.group(2) != name:
                raise AnnotationError(f"{name}: cannot read its prototype {a['prototype']!r}")
            ret, params = " ".join(m.group(1).split()).replace(" *", "*"), split_params(m.group(3))
        elif name in prototypes:
            ret, params = prototypes[name]
        else:
            raise AnnotationError(f"{name}: no prototype in the headers: give one with `prototype`")
        index = len(slots)
        call = Call(name=name, slot=index, ret=ret, params=[parse_param(p) for p in params])
        slots.append(Slot(name=name, index=index, call=call, extension=a["extension"]))
    errors = []
    for slot in slots:
        if slot.call is None:
            continue
        try:
            annotate_call(slot.call, annotations.get(slot.name))
        except AnnotationError as e:
            errors.append(str(e))
    if errors:
        raise AnnotationError("\n".join(errors))
    return slots


def annotate_call(call, a):
    if True:
        if a is None:
            raise AnnotationError(f"{call.name}: no annotation")
        call.cls = a.get("class", "")
        if call.cls not in CLASSES:
            raise AnnotationError(f"{call.name}: unknown class {call.cls!r}")
        call.client = a.get("client", "generated")
        call.server = a.get("server", "generated")
        call.returns = a.get("returns", "")
        call.error = a.get("error", "")
        call.why = a.get("why", "")
        call.optional = a.get("optional", [])
        call.handles = a.get("handles", {})
        call.server_filter = a.get("server_filter", "")
        call.immutable = a.get("immutable", [])
        if call.immutable and call.cls != "info":
            raise AnnotationError(f"{call.name}: only info queries have immutable values")
        call.client_check = a.get("client_check", False)
        call.runs_long = a.get("runs_long", False)
        call.forwarded = a.get("forwarded", False)
        if call.forwarded and (call.client != "custom" or call.cls in ("unsupported", "retain", "release")):
            raise AnnotationError(f"{call.name}: forwarded is for a hand-written client call that sends the call as it is")
        call.described = a.get("described", False)
        if call.described and (call.server != "custom" or call.cls in ("unsupported", "retain", "release", "info")):
            raise AnnotationError(f"{call.name}: described is for a call hand-written on the server "
                                  f"(its request struct is otherwise generated already)")
        call.wire_fields = wire_fields(call, a.get("wire_fields", []))
        if call.cls == "unsupported":
            call.client, call.server = "unsupported", "none"
            if not call.error or not call.why:
                raise AnnotationError(f"{call.name}: unsupported needs error and why")
        if (call.client == "custom" or call.server in ("custom", "none")) and not call.why:
            raise AnnotationError(f"{call.name}: a hand-written side needs a why")
        roles = a.get("params", {})
        for pname in roles:
            call.param(pname)  # raises on unknown names
        for p in call.params:
            if call.cls == "info" and p.name in INFO_PARAMS:
                continue
            role = roles.get(p.name) or default_role(call, p)
            if role:
                p.role, p.opts = parse_role(role)
                if p.role not in ROLES:
                    raise AnnotationError(f"{call.name}.{p.name}: unknown role {p.role!r}")
                if p.role in HAND_ROLES and not call.described:
                    raise AnnotationError(f"{call.name}.{p.name}: role {p.role!r} is for a described call")
            elif p.pointer or p.callback:
                if call.cls == "unsupported":
                    continue
                raise AnnotationError(f"{call.name}.{p.name}: pointer parameter '{p.decl}' is not annotated")
        call.variants = variants(call, a)
        call.reply_body = a.get("reply_body", "")
        if call.reply_body and (not call.described or call.cls != "sync"):
            raise AnnotationError(f"{call.name}: reply_body is for a described sync call")
        if call.cls == "info":
            names = [p.name for p in call.params[-3:]]
            if tuple(names) != INFO_PARAMS:
                raise AnnotationError(f"{call.name}: info class needs {INFO_PARAMS} last")
            if "param_name" not in [p.name for p in call.params]:
                raise AnnotationError(f"{call.name}: info class needs param_name")


def wire_fields(call, rows):
    """A described call's `wire_fields`, checked: a name that is no
    parameter's, a kind (codegen/call_shapes.py checks it), a doc, and for a
    request field the parameter it follows."""
    if rows and not call.described:
        raise AnnotationError(f"{call.name}: wire_fields are for a described call (hand-written on both sides)")
    fields = []
    for row in rows:
        unknown = set(row) - {"name", "kind", "doc", "after", "reply", "tail"}
        if unknown or not row.get("name") or not row.get("kind") or not row.get("doc"):
            raise AnnotationError(f"{call.name}: a wire field needs name, kind and doc (and may have after or reply): {row}")
        if any(p.name == row["name"] for p in call.params):
            raise AnnotationError(f"{call.name}: wire field {row['name']} is a parameter's name")
        f = WireField(name=row["name"], kind=row["kind"], doc=row["doc"], after=row.get("after", ""),
                      reply=row.get("reply", False), tail=row.get("tail", False))
        if f.after and f.reply:
            raise AnnotationError(f"{call.name}: wire field {f.name} is in the reply, after no parameter")
        if f.tail and (f.after or f.reply or f.kind not in TAIL_TYPES):
            raise AnnotationError(f"{call.name}: tail wire field {f.name} is in the request, after its params, "
                                  f"of kind {' or '.join(sorted(TAIL_TYPES))}")
        if f.after:
            call.param(f.after)  # raises on unknown names
        fields.append(f)
    return fields


def variants(call, a):
    """A described call's `variants` (Variants), each annotated as a call of
    its own: the call's roles with the variant's `params` over them, the
    parameters up to `after` (sent before the tag) unsent, its `wire_fields`."""
    row = a.get("variants")
    if not row:
        return None
    if not call.described or call.returns or call.cls != "async":
        raise AnnotationError(f"{call.name}: variants are for a described async call that creates nothing")
    if set(row) - {"name", "doc", "after", "of"} or not all(row.get(k) for k in ("name", "doc", "after", "of")):
        raise AnnotationError(f"{call.name}: variants need name, doc, after and of: {sorted(row)}")
    names = [p.name for p in call.params]
    head = names[: names.index(call.param(row["after"]).name) + 1]
    if any(f.after and f.after not in head or f.tail for f in call.wire_fields):
        raise AnnotationError(f"{call.name}: with variants, a wire field goes before the tag (after {row['after']} at most)")
    of = []
    for tag, v in enumerate(row["of"]):
        if set(v) - {"name", "doc", "params", "wire_fields"} or not v.get("name") or not v.get("doc"):
            raise AnnotationError(f"{call.name}: a variant needs name and doc (and may have params, wire_fields): {v}")
        if set(v.get("params", {})) & set(head):
            raise AnnotationError(f"{call.name}.{v['name']}: the parameters up to {row['after']} are sent before the tag")
        sub = Call(name=call.name, slot=call.slot, ret=call.ret, params=[replace(p, role="", opts={}) for p in call.params])
        roles = {**a.get("params", {}), **{n: "unsent" for n in head}, **v.get("params", {})}
        annotate_call(sub, {**{k: a[k] for k in a if k not in ("variants", "wire_fields", "returns")},
                            "params": roles, "wire_fields": v.get("wire_fields", [])})
        of.append(Variant(name=v["name"], tag=tag, doc=v["doc"], call=sub))
    return Variants(name=row["name"], doc=row["doc"], after=row["after"], of=tuple(of))


def parse_prototypes(text):
    """{name: (return type, [parameter declarations])} of every prototype in the headers."""
    out = {}
    for m in PROTOTYPE.finditer(text):
        out[m.group(2)] = (" ".join(m.group(1).split()).replace(" *", "*"), split_params(m.group(3)))
    return out


def extensions(slots, rows, in_headers):
    """The [extensions] table, checked against the calls and the headers, with
    the headers' extensions without entry points added as "kernel"."""
    calls = {s.name: s for s in slots}
    table, errors = [], []
    named = set()
    for name, r in rows.items():
        if name == "kernel":  # extensions without entry points the headers do not define
            for n in r.get("names", []):
                table.append(Extension(name=n, status="kernel"))
            continue
        e = Extension(name=name, status=r.get("status", ""), functions=r.get("functions", []),
                      queries=r.get("queries", []), why=r.get("why", ""), client=r.get("client", ""))
        if e.status not in EXTENSION_STATUSES:
            errors.append(f"extensions.{name}: unknown status {e.status!r}")
        if e.status == "masked" and not e.why:
            errors.append(f"extensions.{name}: masked needs a why")
        if e.status == "kernel" and e.functions:
            errors.append(f"extensions.{name}: kernel extensions have no functions")
        if e.status == "forwarded" and e.client != "ops":
            for f in e.functions:
                s = calls.get(f)
                if s is None or s.call is None or s.call.cls == "unsupported":
                    errors.append(f"extensions.{name}: forwarded, but {f} is not")
                elif s.extension and s.extension != name:
                    errors.append(f"extensions.{name}: {f} is annotated for {s.extension}")
        for f in in_headers.get(name, []):
            if f not in e.functions:
                errors.append(f"extensions.{name}: the headers declare {f}, the row does not name it")
        table.append(e)
        named.add(name)
    for s in slots:
        if s.extension and s.extension not in named:
            errors.append(f"{s.name}: its extension {s.extension} has no row in [extensions]")
    kernel = {e.name for e in table if e.status == "kernel"}
    for name, functions in sorted(in_headers.items()):
        if name in named or name in kernel:
            continue
        if functions:
            errors.append(f"extensions.{name}: the headers give it entry points ({', '.join(functions)}); it needs a row")
        else:
            table.append(Extension(name=name, status="kernel", source="headers"))
    if errors:
        raise AnnotationError("\n".join(errors))
    return table


def load(cc, include_dirs, annotations_path):
    """(slots, extensions): the dispatch table and extension calls, and the [extensions] table."""
    with open(annotations_path, "rb") as f:
        annotations = tomllib.load(f)
    text = preprocess(cc, include_dirs)
    slots = annotate(parse_headers(text), annotations, parse_prototypes(text))
    in_headers = header_extensions(preprocess(cc, include_dirs, keep_defines=True))
    return slots, extensions(slots, annotations.get("extensions", {}), in_headers)
