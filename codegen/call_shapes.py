"""The shape on the wire of each OpenCL call's request and reply, as fields
of a struct (rcl::protocol::opencl::NAMERequest, NAMEReply: templates
opencl_wire.h.j2, opencl_wire.cpp.j2), derived from the same rows of
codegen/wire.py that write the client's Call lines and the server's
CallContext lines: a field's kind is chosen by the methods its row calls on
both sides (METHODS), so the structs follow the rows.

Each way maps to a field kind; the templates hold each kind's C++ (type,
encode, checked decode, sample value)."""

import re
from dataclasses import dataclass

import model
import wire

# The field kind of a parameter, by the pair of methods its row of WAYS uses:
# the client's Call method (icd/include/rcl/icd/transport/call.h) and the
# server's CallContext method (server/include/rcl/server/calls/call_context.h)
# that read and write it. A row whose pair is not here stops the generator, so
# a new way (or a row that changes its methods) must say what it puts on the wire.
#   (Call, CallContext)            kind      on the wire
METHODS = {
    ("handle", "handle"):          "u64",      # the object's id
    ("optionalHandle", "handle"):  "opt_u64",  # nil or the id
    ("callback", "callback"):      "opt_u64",  # nil or the client's callback id
    ("svm", "svm"):                "opt_u64",  # nil or the server's address
    ("event", "event"):            "opt_u64",  # nil or the new event's id
    ("scalar", "scalar"):          "scalar",   # an integer of the parameter's type, or a float
    ("array", "array"):            "bytes",    # nil or bin, whole elements
    ("value", "value"):            "bytes",    # nil or bin
    ("handles", "handles"):        "ids",      # nil or [id...]
    ("waitList", "handles"):       "ids",      # nil or [id...]
    ("properties", "properties"):  "i64s",     # nil or [key, value, ..., 0]
    ("string", "string"):          "str",      # nil or str
    ("strings", "strings"):        "strs",     # nil or [str...]
    ("programSource", "strings"):  "strs",     # nil or [str...]
    ("buildOptions", "buildOptions"): "bundle",  # [options, [[root, path, bulk]...], roots] (rcl/protocol/build_includes.h)
    ("blobs", "blobs"):            "blobs",    # nil or [nil-or-bulk...]
    ("bulkCopy", "bulk"):          "bulk",     # nil or a bulk frame
    ("wants", "out"):              "wants",    # bool: the caller wants the output
    ("wants", "outArray"):         "wants",
    ("wants", "outHandles"):       "wants",
    (None, None):                  None,       # not sent (errcode, lengths, user_data)
}
# What the reply carries for an output (after its status), by the client's Reply
# method that reads it (CallContext::put writes it): nil, or
#   bytes: bin of the value(s); ids: [id...]. ("mutable" reads nothing: never sent back.)
REPLY_METHODS = {"out": "bytes", "array": "bytes", "handles": "ids"}


def method(code, obj):
    m = re.search(obj + r"\.(\w+)\s*[<(]", code)
    return m.group(1) if m else None


def kind_of(call, w):
    pair = (method(w.encode, "call"), method(w.decode, "ctx"))
    if pair not in METHODS:
        raise model.AnnotationError(f"{call.name}.{w.param.name}: travels as {w.way} with Call::{pair[0]} and "
                                    f"CallContext::{pair[1]}, which codegen/call_shapes.py's METHODS does not know")
    return METHODS[pair]


FLOATS = {"float", "double", "cl_float", "cl_double", "cl_half"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    elem: str  # the parameter's element type (scalar's type; bytes' element, "" for bytes of void)
    way: str


def described(call):
    """True when the generator writes this call's request on either side."""
    if call.cls == "unsupported":
        return False
    return call.server == "generated" or call.client != "custom" or bool(call.forwarded)


def request_fields(call):
    fields = []
    if call.returns == "new":
        fields.append(Field("created_id", "u64", "", "create"))
    for w in (wire.wire(call, p) for p in call.inputs):
        kind = kind_of(call, w)
        if kind is None:
            continue
        elem = wire.elem(w.param)
        if kind == "scalar" and elem in FLOATS:
            kind = "float"
        if kind == "bytes" and elem == "void":
            elem = ""
        fields.append(Field(w.param.name, kind, elem, w.way))
    return fields


def reply_fields(call):
    """The reply after its status: None when no reply is generated (posted calls)."""
    if call.cls == "info":
        # CallContext::replyInfo: the value (bin) follows a CL_SUCCESS only (not CL_PROGRAM_BINARIES' blobs).
        return [Field("value", "info_value", "", "info")]
    if call.cls != "sync":
        return None
    fields = []
    for p in call.inputs:
        w = wire.wire(call, p)
        kind = REPLY_METHODS.get(method(w.receive, "reply"))
        if kind is not None:
            elem = "" if kind == "ids" or wire.elem(p) == "void" else wire.elem(p)
            fields.append(Field(p.name, kind, elem, w.way))
    return fields
