"""How each parameter travels: the one table from a parameter's role
(codegen/opencl_calls.toml, or its conventional default in roles.py) to the
code on both sides of the wire. Each row names the field it is in the call's
request struct (rcl::protocol::opencl::NAMERequest; its kind's C++ is in
templates/opencl_wire.*.j2, through codegen/call_shapes.py), and the code
around it: the client stub fills the field with a checked Call method
(icd/include/rcl/icd/transport/call.h) and writes outputs back from the
decoded NAMEReply; the server handler makes the argument from the decoded
field with a CallContext method (server/include/rcl/server/calls/
call_context.h: handles through the session's handle table), checks its
length, passes it to the real call and gives outputs to the reply struct.
A new role is one row here (and its methods)."""

from dataclasses import dataclass

import model


@dataclass(frozen=True)
class Way:
    """One way a parameter travels: as a field of the call's request struct
    (rcl::protocol::opencl::NAMERequest, codegen/call_shapes.py) and, for an
    output, of its reply (NAMEReply). Every column but the kinds is a format
    string over {n} (the parameter, and its field), {elem} (its element type),
    {base}, {len}, {count}, {lengths}, {kind}, {user_data}, {callback},
    {owner} and {always}; "" for nothing on that step."""
    field: str = ""    # the request field's kind (call_shapes.py; the templates hold its C++); "" if not sent
    fill: str = ""     # client: the field's value, from the parameter, checked by a Call method
    receive: str = ""  # client: what it writes back from the decoded reply (`answer`)
    take: str = ""     # server: the declaration that makes the argument from the decoded field (`request`)
    arg: str = ""      # server: the expression given to the real call
    check: str = ""    # server: its length or range, checked before the call
    adopt: str = ""    # server: after the call, before the reply (by status)
    answer: str = ""   # server: the reply field's value (CallContext::output)
    answer_field: str = ""  # the reply field's kind; "" if nothing goes back


OUT = dict(field="wants", fill="{n} != nullptr", answer="ctx.output({n})")
WAYS = {
    # by-value parameters
    "handle": Way(field="u64", fill="call.handleId({n})", take="auto {n} = ctx.handleOf<{base}>(request.{n});",
                  arg="{n}"),
    "optional_handle": Way(field="opt_u64", fill="call.optionalHandleId({n})",
                           take="auto {n} = ctx.handleOf<{base}>(request.{n});", arg="{n}"),
    "scalar": Way(field="scalar", fill="{n}", take="auto {n} = request.{n};", arg="{n}"),
    "callback": Way(field="opt_u64", fill="call.callbackId(CallbackKind::{kind}, {n}, {user_data})",
                    take="auto {n} = ctx.callbackOf<CallbackKind::{kind}>(request.{n});", arg="{n}.function()"),
    # pointers, by role
    "in": Way(field="bytes", fill="call.elements({n}, {len})", take="auto {n} = ctx.arrayOf<{elem}>(request.{n});",
              arg="{n}.data()", check="ctx.expectLength({n}, {len});"),
    "in_handles": Way(field="ids", fill="call.handleIds({n}, {len})",
                      take="auto {n} = ctx.handlesOf<{elem}>(request.{n});", arg="{n}.data()",
                      check="ctx.expectLength({n}, {len});"),
    "in_wait_list": Way(field="ids", fill="call.waitListIds({n}, {len})",
                        take="auto {n} = ctx.handlesOf<{elem}>(request.{n});", arg="{n}.data()",
                        check="ctx.expectLength({n}, {len});"),
    "string": Way(field="str", fill="call.text({n})", take="auto {n} = ctx.stringOf(request.{n});",
                  arg="{n}.c_str()"),
    "strings": Way(field="strs", fill="call.texts({n}, {count}, {lengths})",
                   take="auto {n} = ctx.stringsOf(request.{n});", arg="{n}.pointers()",
                   check="ctx.expectLength({n}, {count});"),
    "source": Way(field="strs", fill="call.programSourceTexts({n}, {count}, {lengths})",
                  take="auto {n} = ctx.stringsOf(request.{n});", arg="{n}.pointers()",
                  check="ctx.expectLength({n}, {count});"),
    "build_options": Way(field="bundle", fill="call.includeBundle({n})",
                         take="auto {n} = ctx.buildOptionsOf(request.{n});", arg="{n}.c_str()"),
    "blobs": Way(field="blobs", fill="call.blobViews({n}, {count}, {lengths})",
                 take="auto {n} = ctx.blobsOf(request.{n});", arg="{n}.pointers()",
                 check="ctx.expectLength({n}, {count});"),
    "lengths": Way(arg="{owner}.lengths()"),
    "props": Way(field="i64s", fill="call.propertyValues({n})", take="auto {n} = ctx.propertiesOf<{elem}>(request.{n});",
                 arg="{n}.data()"),
    "value": Way(field="bytes", fill="call.bytes({n}, {len})", take="auto {n} = ctx.bytesOf(request.{n});",
                 arg="{n}.as<{elem}>()", check="ctx.expectBytes({n}, {len});"),
    "value_bytes": Way(field="bytes", fill="call.bytes({n}, {len})", take="auto {n} = ctx.bytesOf(request.{n});",
                       arg="{n}.data()", check="ctx.expectBytes({n}, {len});"),
    "bulk": Way(field="bulk", fill="call.bytes({n}, {len})", take="auto {n} = ctx.bytesOf(request.{n});",
                arg="{n}.data()", check="ctx.expectBytes({n}, {len});"),
    "svm": Way(field="opt_u64", fill="call.svmAddress({n}, {len})", take="auto {n} = ctx.svmOf(request.{n});",
               arg="{n}.pointer()", check="ctx.expectSvm({n}, {len});"),
    "out": Way(**OUT, receive="reply.out({n}, answer.{n}{always});", take="auto {n} = ctx.outOf<{elem}>(request.{n});",
               arg="{n}.ptr()", answer_field="bytes"),
    "out_array": Way(**OUT, receive="reply.array({n}, {len}, answer.{n}{always});",
                     take="auto {n} = ctx.outArrayOf<{elem}>(request.{n}, {len});", arg="{n}.data()",
                     answer_field="bytes"),
    "out_handles": Way(**OUT, receive="reply.handles({n}, {len}, answer.{n});",
                       take="auto {n} = ctx.outHandlesOf<{elem}>(request.{n}, {len});", arg="{n}.data()",
                       answer_field="ids"),
    # cl_khr_command_buffer_mutable_dispatch is masked: no mutable command is ever given out.
    # The server passes it as the caller asked (the real platform judges it); never sent back.
    "mutable": Way(field="wants", fill="{n} != nullptr",
                   receive="if ({n} != nullptr && reply.status() == CL_SUCCESS) *{n} = nullptr;",
                   take="auto {n} = ctx.outOf<{elem}>(request.{n});", arg="{n}.ptr()"),
    "errcode": Way(take="cl_int {n} = CL_SUCCESS;", arg="&{n}"),
    "event": Way(field="opt_u64", fill="call.eventId({n})", take="auto {n} = ctx.eventOf(request.{n});",
                 arg="{n}.ptr()", adopt="ctx.adoptEvent({n}, status);"),
    "user_data": Way(arg="{callback}.userData()"),
    # clSetKernelArg's value (hand-written on both sides: which it is is policy).
    "kernel_arg": Way(field="arg"),
    # The rest are for calls hand-written on both sides (model.HAND_ROLES): only their field.
    # A parameter that does not travel: the client answers for it, it is the
    # length of another field's bytes, or the host's side of a transfer.
    "unsent": Way(),
    # An array of SVM pointers, sent as the server's addresses (u64 each).
    "svm_addresses": Way(field="bytes"),
    # A buffer's host memory (kind buffer_host: which it is is policy).
    "buffer_host": Way(field="buffer_host"),
    # A read's event: always sent (its bytes complete it), never nil.
    "read_event": Way(field="u64"),
    # A write's bytes in pieces of protocol::kBulkPiece, each its own bulk frame.
    "pieces": Way(field="pieces"),
}


def elem(p):
    """The parameter's element type as C++ writes it, without const and '*'."""
    t = p.decl[: p.decl.rfind(p.name)].replace("const", "").replace("*", "").strip()
    return " ".join(t.split())


def way_of(call, p):
    """The name of the row of WAYS that carries parameter p of call."""
    if p.role == "unsent":
        return "unsent"
    if p.callback:
        return "callback"
    if p.pointer == 0:
        if p.is_handle:
            return "optional_handle" if p.name in call.optional else "handle"
        return "scalar"
    r = p.role
    if r == "in" and p.element_is_handle:
        return "in_wait_list" if p.name == "event_wait_list" else "in_handles"
    if r == "value" and elem(p) == "void":
        return "value_bytes"
    if r == "out" and "len" in p.opts:
        return "out_handles" if p.element_is_handle else "out_array"
    if r in WAYS:
        return r
    raise model.AnnotationError(f"{call.name}.{p.name}: no way on the wire for role {r!r}")


@dataclass(frozen=True)
class Wire:
    """A parameter's code on both sides, formatted (see Way)."""
    param: object
    way: str
    field: str
    fill: str
    receive: str
    take: str
    arg: str
    check: str
    adopt: str
    answer: str
    answer_field: str


def wire(call, p):
    way = way_of(call, p)
    o = p.opts
    names = {
        "n": p.name, "elem": elem(p), "base": p.base,
        "len": o.get("len", "0"), "count": o.get("count", ""), "lengths": o.get("lengths", "nullptr"),
        "kind": o.get("kind", ""), "always": ", Reply::Always" if o.get("always") else "",
        "user_data": next((q.name for q in call.params if q.role == "user_data"), ""),
        "callback": next((q.name for q in call.params if q.role == "callback"), ""),
        "owner": next((q.name for q in call.params if q.opts.get("lengths") == p.name), ""),
    }
    needs = {"callback": "user_data", "user_data": "callback", "lengths": "owner"}.get(way)
    if way in ("unsent", "svm_addresses", "buffer_host") and not call.described:
        raise model.AnnotationError(f"{call.name}.{p.name}: role {way} is for a described call (hand-written on both sides)")
    if needs and not names[needs]:
        raise model.AnnotationError(f"{call.name}.{p.name}: travels as {way}, but the call has no {needs} parameter")
    row = WAYS[way]
    if way == "value" or way == "value_bytes" or way == "bulk":
        # A value or bulk bytes as long as the annotation says (a parameter, a
        # number or a sizeof): the implementation reads that many bytes.
        check = row.check if o.get("len") else ""
    else:
        check = row.check
    return Wire(param=p, way=way, field=row.field, fill=row.fill.format(**names), receive=row.receive.format(**names),
                take=row.take.format(**names), arg=row.arg.format(**names), check=check.format(**names),
                adopt=row.adopt.format(**names), answer=row.answer.format(**names), answer_field=row.answer_field)
