"""The shape on the wire of each OpenCL call's request and reply, as fields
of a struct (rcl::protocol::opencl::NAMERequest, NAMEReply: templates
opencl_wire.h.j2, opencl_wire.cpp.j2), from the rows of codegen/wire.py: each
row names its field's kind (Way.field, and Way.answer_field for what an
output puts into the reply), and the same row's code fills that field on the
client (client_stubs.cpp) and reads it on the server (server_handlers.cpp).

The kinds, on the wire (the templates hold each kind's C++: type, encode,
checked decode, sample value):
  u64      the object's id (a handle)
  opt_u64  nil or a u64 (an optional handle, a callback's id, an SVM address, a new event's id)
  scalar   an integer of the parameter's type, or a float (kind "float")
  bytes    nil or bin, whole elements (an array, a value)
  ids      nil or [id...] (handles, a wait list)
  i64s     nil or [key, value, ..., 0] (properties)
  str      nil or str
  strs     nil or [str...]
  bundle   [options, [[root, path, bulk]...], roots] (rcl/protocol/build_includes.h)
  blobs    nil or [nil-or-bulk...]
  bulk     nil or a bulk frame
  wants    bool: the caller wants the output
  arg      a kernel argument's value: nil (NULL), an object's id (u64) or its bytes (bin)
  buffer_host  a buffer's host memory: nil, its bytes (a bulk frame), the server's
           address of SVM memory (a bin of 8 bytes) or a shared buffer's memfd
           ([fd, bytes], protocol/shm.h)
  pieces   nil or [bulk...]: bytes in pieces, each its own bulk frame (lent or copied)
  variants a described call's tag (u8: which layout follows, `variants` in
           opencl_calls.toml), then that layout's fields (NAMERequest::LAYOUT,
           the member a std::variant of them)
  tail_u64, tail_bool  a wire field with tail = true, at the request's end:
           written only while it or a tail field after it is set (not 0, not
           false); absent, it decodes as 0 / false
and in a reply, after its status, an output's bytes (nil or bin) or ids
(nil or [id...]); a reply's wire field (model.WireField) may also be a u64, a
bool (wants) or opt_bool (a bool at the end, or nothing); a reply_body (the
call's `reply_body`: the fields of [replies.NAME] of messages.toml, after the
status, or nothing) is the member `body`, an optional protocol::calls::NAMEReply."""

from dataclasses import dataclass

import model
import wire

KINDS = {"u64", "opt_u64", "scalar", "bytes", "ids", "i64s", "str", "strs", "bundle", "blobs", "bulk", "wants", "arg",
         "buffer_host", "pieces"}
REPLY_KINDS = {"bytes", "ids"}
WIRE_REPLY_KINDS = REPLY_KINDS | {"u64", "wants", "opt_bool"}  # a reply's wire field (model.WireField) may be one of these too


def kind_of(call, w):
    if w.field and w.field not in KINDS:
        raise model.AnnotationError(f"{call.name}.{w.param.name}: travels as {w.way}, a field of kind {w.field!r}, "
                                    f"which codegen/call_shapes.py does not know")
    return w.field or None


FLOATS = {"float", "double", "cl_float", "cl_double", "cl_half"}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    elem: str  # the parameter's element type (scalar's type; bytes' element, "" for bytes of void)
    way: str
    # an arg's len=, or a described call's value's: the bytes it must hold
    # (NAMERequest::PARAMLengthAgrees(); the handler gives the call's own error)
    length: str = ""
    later: tuple = ()  # a tail field: the tail fields after it (it is written while one of them is set)
    variants: tuple = ()  # a variants field: its layouts (Layout), in the order of their tags


@dataclass(frozen=True)
class Layout:
    """One layout of a variants field: its struct's name, its tag, its fields."""
    name: str
    tag: int
    doc: str
    fields: tuple


def described(call):
    """True when the generator writes this call's request on either side, or
    the call is hand-written on both and `described` (its params say what goes
    on the wire: its hand-written code fills and decodes the struct)."""
    if call.cls == "unsupported":
        return False
    return call.server == "generated" or call.client != "custom" or bool(call.forwarded) or bool(call.described)


def wire_field(call, f, kinds):
    """A field that is no parameter (model.WireField), as a Field."""
    if f.kind not in kinds or f.kind in ("scalar", "float", "arg"):
        raise model.AnnotationError(f"{call.name}: wire field {f.name} of kind {f.kind!r}, which the generator "
                                    f"does not write there")
    return Field(f.name, f.kind, "", "wire: " + f.doc)


def request_fields(call):
    fields = []
    if call.returns == "new":
        fields.append(Field("created_id", "u64", "", "create"))
    wire_only = [f for f in call.wire_fields if not f.reply and not f.tail]
    fields += [wire_field(call, f, KINDS) for f in wire_only if not f.after]
    inputs = call.inputs
    if call.variants:
        # The parameters up to the tag; the rest travel as its layouts say.
        inputs = inputs[: [p.name for p in inputs].index(call.variants.after) + 1]
    for w in (wire.wire(call, p) for p in inputs):
        kind = kind_of(call, w)
        after = [wire_field(call, f, KINDS) for f in wire_only if f.after == w.param.name]
        if kind is None:
            fields += after
            continue
        elem = wire.elem(w.param)
        if w.way == "svm_addresses":
            elem = "std::uint64_t"
        if kind == "scalar" and elem in FLOATS:
            kind = "float"
        if kind == "bytes" and elem == "void":
            elem = ""
        length = w.param.opts.get("len", "") if kind == "arg" else ""
        if call.described and w.way == "value" and w.param.opts.get("len"):
            # Any bin decodes: its length is judged by the handler, with the error the call gives.
            elem, length = "", w.param.opts["len"]
        fields.append(Field(w.param.name, kind, elem, w.way, length))
        fields += after
    if call.variants:
        v = call.variants
        fields.append(Field(v.name, "variants", "std::uint8_t", "variants: " + v.doc,
                            variants=tuple(Layout(o.name, o.tag, o.doc, tuple(request_fields(o.call))) for o in v.of)))
    tails = [f for f in call.wire_fields if f.tail]
    for i, f in enumerate(tails):
        fields.append(Field(f.name, "tail_" + f.kind, model.TAIL_TYPES[f.kind][0], "wire: " + f.doc,
                            later=tuple(t.name for t in tails[i + 1:])))
    return fields


def reply_fields(call):
    """The reply after its status: None when no reply is generated (posted calls)."""
    if call.cls == "info":
        # CallContext::replyInfo: the value (bin) follows a CL_SUCCESS only (not CL_PROGRAM_BINARIES' blobs).
        return [Field("value", "info_value", "", "info")]
    if call.cls != "sync":
        if any(f.reply for f in call.wire_fields):
            raise model.AnnotationError(f"{call.name}: a reply's wire field, but a {call.cls} call has no reply")
        return None
    fields = []
    for p in call.inputs:
        w = wire.wire(call, p)
        kind = w.answer_field or None
        if kind is not None:
            if kind not in REPLY_KINDS:
                raise model.AnnotationError(f"{call.name}.{p.name}: answers a field of kind {kind!r}")
            elem = "" if kind == "ids" or wire.elem(p) == "void" else wire.elem(p)
            fields.append(Field(p.name, kind, elem, w.way))
    fields += [wire_field(call, f, WIRE_REPLY_KINDS) for f in call.wire_fields if f.reply]
    if call.reply_body:
        fields.append(Field("body", "reply_body", call.reply_body + "Reply",
                            f"reply body: [replies.{call.reply_body}] in codegen/messages.toml, or nothing"))
    return fields
