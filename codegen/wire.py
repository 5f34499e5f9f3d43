"""How each parameter travels: the one table from a parameter's role
(codegen/opencl_calls.toml, or its conventional default in model.py) to the
code on both sides of the wire. The client stub encodes it with a Call method
(icd/include/rcl/icd/transport/call.h) and reads what the reply writes back; the server
handler decodes it with a CallContext method (server/include/rcl/server/
call_context.h), checks its length, passes it to the real call and puts
outputs into the reply. A new role is one row here (and its methods)."""

from dataclasses import dataclass

import model


@dataclass(frozen=True)
class Way:
    """One way a parameter travels. Every field is a format string over
    {n} (the parameter), {elem} (its element type), {base}, {len}, {count},
    {lengths}, {kind}, {user_data}, {callback}, {owner} and {always}; "" for
    nothing on that step."""
    encode: str = ""   # client: the Call method that sends it
    receive: str = ""  # client: what the reply writes back into it
    decode: str = ""   # server: the declaration that reads it
    arg: str = ""      # server: the expression given to the real call
    check: str = ""    # server: its length or range, checked before the call
    adopt: str = ""    # server: after the call, before the reply (by status)
    put: str = ""      # server: what it adds to the reply


WAYS = {
    # by-value parameters
    "handle": Way(encode="call.handle({n});", decode="auto {n} = ctx.handle<{base}>();", arg="{n}"),
    "optional_handle": Way(encode="call.optionalHandle({n});", decode="auto {n} = ctx.handle<{base}>();", arg="{n}"),
    "scalar": Way(encode="call.scalar({n});", decode="auto {n} = ctx.scalar<{elem}>();", arg="{n}"),
    "callback": Way(encode="call.callback(CallbackKind::{kind}, {n}, {user_data});",
                    decode="auto {n} = ctx.callback<CallbackKind::{kind}>();", arg="{n}.function()"),
    # pointers, by role
    "in": Way(encode="call.array({n}, {len});", decode="auto {n} = ctx.array<{elem}>();", arg="{n}.data()",
              check="ctx.expectLength({n}, {len});"),
    "in_handles": Way(encode="call.handles({n}, {len});", decode="auto {n} = ctx.handles<{elem}>();",
                      arg="{n}.data()", check="ctx.expectLength({n}, {len});"),
    "in_wait_list": Way(encode="call.waitList({n}, {len});", decode="auto {n} = ctx.handles<{elem}>();",
                        arg="{n}.data()", check="ctx.expectLength({n}, {len});"),
    "string": Way(encode="call.string({n});", decode="auto {n} = ctx.string();", arg="{n}.c_str()"),
    "strings": Way(encode="call.strings({n}, {count}, {lengths});", decode="auto {n} = ctx.strings();",
                   arg="{n}.pointers()", check="ctx.expectLength({n}, {count});"),
    "source": Way(encode="call.programSource({n}, {count}, {lengths});", decode="auto {n} = ctx.strings();",
                  arg="{n}.pointers()", check="ctx.expectLength({n}, {count});"),
    "build_options": Way(encode="call.buildOptions({n});", decode="auto {n} = ctx.buildOptions();",
                         arg="{n}.c_str()"),
    "blobs": Way(encode="call.blobs({n}, {count}, {lengths});", decode="auto {n} = ctx.blobs();",
                 arg="{n}.pointers()", check="ctx.expectLength({n}, {count});"),
    "lengths": Way(arg="{owner}.lengths()"),
    "props": Way(encode="call.properties({n});", decode="auto {n} = ctx.properties<{elem}>();", arg="{n}.data()"),
    "value": Way(encode="call.value({n}, {len});", decode="auto {n} = ctx.value();", arg="{n}.as<{elem}>()",
                 check="ctx.expectBytes({n}, {len});"),
    "value_bytes": Way(encode="call.value({n}, {len});", decode="auto {n} = ctx.value();", arg="{n}.data()",
                       check="ctx.expectBytes({n}, {len});"),
    "bulk": Way(encode="call.bulkCopy({n}, {len});", decode="auto {n} = ctx.bulk();", arg="{n}.data()",
                check="ctx.expectBytes({n}, {len});"),
    "svm": Way(encode="call.svm({n}, {len});", decode="auto {n} = ctx.svm();", arg="{n}.pointer()",
               check="ctx.expectSvm({n}, {len});"),
    "out": Way(encode="call.wants({n});", receive="reply.out({n}{always});", decode="auto {n} = ctx.out<{elem}>();",
               arg="{n}.ptr()", put="ctx.put({n});"),
    "out_array": Way(encode="call.wants({n});", receive="reply.array({n}, {len}{always});",
                     decode="auto {n} = ctx.outArray<{elem}>({len});", arg="{n}.data()", put="ctx.put({n});"),
    "out_handles": Way(encode="call.wants({n});", receive="reply.handles({n}, {len}{always});",
                       decode="auto {n} = ctx.outHandles<{elem}>({len});", arg="{n}.data()", put="ctx.put({n});"),
    # cl_khr_command_buffer_mutable_dispatch is masked: no mutable command is ever given out.
    # The server passes it as the caller asked (the real platform judges it); never sent back.
    "mutable": Way(encode="call.wants({n});",
                   receive="if ({n} != nullptr && reply.status() == CL_SUCCESS) *{n} = nullptr;",
                   decode="auto {n} = ctx.out<{elem}>();", arg="{n}.ptr()"),
    "errcode": Way(decode="cl_int {n} = CL_SUCCESS;", arg="&{n}"),
    "event": Way(encode="call.event({n});", decode="auto {n} = ctx.event();", arg="{n}.ptr()",
                 adopt="ctx.adoptEvent({n}, status);"),
    "user_data": Way(arg="{callback}.userData()"),
}


def elem(p):
    """The parameter's element type as C++ writes it, without const and '*'."""
    t = p.decl[: p.decl.rfind(p.name)].replace("const", "").replace("*", "").strip()
    return " ".join(t.split())


def way_of(call, p):
    """The name of the row of WAYS that carries parameter p of call."""
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
    encode: str
    receive: str
    decode: str
    arg: str
    check: str
    adopt: str
    put: str


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
    if needs and not names[needs]:
        raise model.AnnotationError(f"{call.name}.{p.name}: travels as {way}, but the call has no {needs} parameter")
    row = WAYS[way]
    if way == "value" or way == "value_bytes" or way == "bulk":
        # A value or bulk bytes as long as the annotation says (a parameter, a
        # number or a sizeof): the implementation reads that many bytes.
        check = row.check if o.get("len") else ""
    else:
        check = row.check
    return Wire(param=p, way=way, encode=row.encode.format(**names), receive=row.receive.format(**names),
                decode=row.decode.format(**names), arg=row.arg.format(**names), check=check.format(**names),
                adopt=row.adopt.format(**names), put=row.put.format(**names))
