#!/usr/bin/env python3
"""remote-cl's code generator.

Reads the OpenCL headers of the build host, codegen/opencl_calls.toml and
codegen/private_calls.toml (remote-cl's own messages), codegen/messages.toml
(the layouts of the pushes and the control messages), and writes into --out:
  include/rcl/protocol/call_ids.h, call_ids.cpp   the call identifiers, one id space for all
  stand_in_calls.cpp                              the server's table of remote-cl's own calls
  info_results.cpp                                which info values hold handles
  client_stubs.cpp                                the client's entry points and dispatch table
  server_handlers.cpp                             the server's decoders and replays
  extension_table.cpp                             the [extensions] table (rcl/protocol/extension_table.h)
  coverage.md, coverage.json                      what is forwarded, and why not
  include/rcl/protocol/pushes.h, pushes.cpp       the pushes' structs, encoders and checked decoders
  include/rcl/protocol/control_messages.h, control_messages.cpp
                                                  the control channel's messages (requests, replies, records)
  pushes_test.cpp                                 the round-trip unit test of both
  include/rcl/protocol/opencl_wire.h, opencl_wire.cpp
                                                  the OpenCL calls' requests and replies as structs (codegen/call_shapes.py)
  opencl_wire_test.cpp                            their round-trip unit test
Each file is written by the template of its name in codegen/templates/ (Jinja2),
which looks like its output; how each parameter travels, on both sides, is the
one table of codegen/wire.py. Every generated function names its source (its
[CALL] entry) in a comment. The walk of one call: codegen/README.md."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
try:
    import jinja2
except ImportError:
    sys.exit("codegen/generate.py needs Jinja2 (Debian: python3-jinja2; scripts/setup-deps.sh installs it)")

import annotate  # noqa: E402
import call_shapes  # noqa: E402
import messages  # noqa: E402
import model  # noqa: E402
import private_calls  # noqa: E402
import wire  # noqa: E402

SOURCE = "codegen/opencl_calls.toml"
TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
PROTOCOL = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "protocol/include/rcl/protocol")

KIND = {
    "cl_platform_id": "Platform", "cl_device_id": "Device", "cl_context": "Context",
    "cl_command_queue": "Queue", "cl_mem": "Mem", "cl_program": "Program",
    "cl_kernel": "Kernel", "cl_event": "Event", "cl_sampler": "Sampler",
    "cl_command_buffer_khr": "CommandBuffer",
}
EXTENSION_STATUS = {"forwarded": "Forwarded", "masked": "Masked", "kernel": "NoEntryPoints"}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    old = open(path).read() if os.path.exists(path) else None
    if old != text:  # keep timestamps when nothing changed
        with open(path, "w") as f:
            f.write(text)


# ------------------------------------------------- helpers of the templates
def signature(call, name):
    params = ", ".join(p.decl for p in call.params) or "void"
    return f"{call.ret} CL_API_CALL {name}({params})"


def what(call):
    return call.cls if call.cls != "info" else "info query"


def wires(call):
    """How each parameter sent to the server travels (codegen/wire.py)."""
    return [wire.wire(call, p) for p in call.inputs]


def errcode(call):
    return next(p.name for p in call.params if p.role == "errcode")


def errcode_ret(call):
    """An unsupported call's error parameter (its parameters have no roles)."""
    return next(p.name for p in call.params if p.name.startswith("errcode"))


def first_handle(call):
    first = next((p.name for p in call.params if p.is_handle), None)
    if first is None:
        raise model.AnnotationError(f"{call.name}: an extension call without a handle parameter needs server = \"custom\"")
    return first


def info_result(what):
    """The InfoResult of one [CALL.handles] entry."""
    if what == "context_properties":
        return "{InfoResult::Shape::ContextProperties, ObjectKind::Platform}"
    if what == "program_binaries":
        return "{InfoResult::Shape::ProgramBinaries, ObjectKind::Program}"
    shape = "Handles" if what.endswith("[]") else "Handle"
    return f"{{InfoResult::Shape::{shape}, ObjectKind::{KIND[what.rstrip('[]')]}}}"


def extension_functions(slots, exts):
    """(function, extension, pointer) of every forwarded extension function the client answers."""
    by_name = {s.name: s for s in slots}
    rows, seen = [], set()
    for e in exts:
        if e.status != "forwarded" or e.client == "ops":
            continue
        for f in e.functions:
            if f in seen:
                continue
            seen.add(f)
            s = by_name[f]
            if not s.extension:
                ptr = f"kDispatchTable.{f}"
            elif s.call.client == "custom":
                ptr = f"&custom::{f}"
            else:
                ptr = f"&{f}_rcl"
            rows.append((f, e.name, ptr))
    return rows


def environment():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False)
    env.globals.update(source=SOURCE, signature=signature, what=what, wires=wires, errcode=errcode,
                       errcode_ret=errcode_ret, first_handle=first_handle, info_result=info_result,
                       extension_status=EXTENSION_STATUS)
    # The pushes' types (codegen/messages.py).
    env.filters["camel"] = lambda s: "".join(w.capitalize() for w in s.split("_"))
    env.filters["base_kind"] = lambda t: messages.limited(t).kind
    env.filters["base_cpp"] = lambda t: messages.limited(t).cpp
    env.filters["element_wire"] = lambda t: messages.limited(t).element.wire if messages.limited(t).kind == "array" else "Uint"
    env.filters["element_nil_ok"] = lambda t: (messages.limited(t).kind == "array"
                                               and messages.limited(t).element.kind == "optional")
    env.filters["quoted"] = lambda s: '"' + s.replace('"', '\\"') + '"'
    env.filters["braced"] = lambda s: "{" + s + "}"
    # An info query's real call takes the parameter the server asks, not the caller's.
    env.filters["replace_param"] = lambda a: "param" if a == "param_name" else a
    return env


# ------------------------------------------- the OpenCL calls' wire shapes
def opencl_wire_outputs():
    """The files of the calls' request and reply structs (codegen/call_shapes.py), and their test."""
    return {
        "include/rcl/protocol/opencl_wire.h": ("opencl_wire.h.j2", {}),
        "opencl_wire.cpp": ("opencl_wire.cpp.j2", {}),
        "opencl_wire_test.cpp": ("opencl_wire_test.cpp.j2", {}),
    }


def opencl_wire_globals(env):
    env.globals.update(described=call_shapes.described, request_fields=call_shapes.request_fields,
                       reply_fields=call_shapes.reply_fields)


# ---------------------------------------------------------------- coverage
def coverage_rows(slots):
    rows = []
    for s in slots:
        c = s.call
        if c is None:
            rows.append({"name": s.name, "status": "absent", "why": "no prototype in this host's headers (Windows-only)"})
        elif s.extension:
            how = "hand-written" if "custom" in (c.client, c.server) or c.server == "none" else "generated"
            rows.append({"name": s.name, "status": "forwarded", "class": c.cls, "how": how,
                         "why": f"extension call of {s.extension}" + (f"; {c.why}" if c.why else "")})
        elif c.cls == "unsupported":
            rows.append({"name": s.name, "status": "unsupported", "why": f"returns {c.error}: {c.why}"})
        else:
            how = "hand-written" if "custom" in (c.client, c.server) or c.server == "none" else "generated"
            rows.append({"name": s.name, "status": "forwarded", "class": c.cls, "how": how, "why": c.why})
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cc", default="cc")
    ap.add_argument("--include", action="append", default=[])
    ap.add_argument("--annotations", required=True)
    ap.add_argument("--private-calls", required=True)
    ap.add_argument("--messages", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    try:
        slots, exts = annotate.load(args.cc, args.include, args.annotations)
    except model.AnnotationError as e:
        sys.exit(f"{args.annotations}: annotation errors:\n{e}")
    try:
        privates = private_calls.load(args.private_calls, slots)
    except model.AnnotationError as e:
        sys.exit(f"{args.private_calls}: errors:\n{e}")
    try:
        description = messages.describe(args.messages, f"{PROTOCOL}/message.h", f"{PROTOCOL}/callback_kind.h",
                                        [p.name for p in privates if p.group == "control"],
                                        [p.name for p in privates if p.group == "calls"])
    except model.AnnotationError as e:
        sys.exit(f"{args.messages}: errors:\n{e}")
    replies = {m.name for m in description.control if m.group == "replies"}
    for slot in slots:
        if slot.call is not None and slot.call.reply_body and slot.call.reply_body not in replies:
            sys.exit(f"{args.annotations}: {slot.name}: reply_body {slot.call.reply_body!r} is no [replies.NAME] "
                     f"of {args.messages}")
    for p in privates:  # a described request: the stand-in table decodes it for the handler
        p.request = description.requests.get(p.name, "")
    extension_ids = [p.id for p in privates if p.dispatch == "extension"]
    first_extension_call = min(extension_ids) if extension_ids else 0xFFFF
    env = environment()
    opencl_wire_globals(env)
    calls = [s.call for s in slots if s.call is not None]
    rows = coverage_rows(slots)
    names = {
        "include/rcl/protocol/call_ids.h": ("call_ids.h.j2", {}),
        "call_ids.cpp": ("call_ids.cpp.j2", {}),
        "info_results.cpp": ("info_results.cpp.j2", {"info_calls": [c for c in calls if c.cls == "info"]}),
        "include/rcl/icd/custom_calls.h": ("custom_calls.h.j2", {}),
        "client_stubs.cpp": ("client_stubs.cpp.j2", {"extension_functions": extension_functions(slots, exts)}),
        "include/rcl/server/custom_handlers.h": ("custom_handlers.h.j2", {}),
        "server_handlers.cpp": ("server_handlers.cpp.j2", {}),
        "stand_in_calls.cpp": ("stand_in_calls.cpp.j2", {}),
        "extension_table.cpp": ("extension_table.cpp.j2", {}),
        "coverage.md": ("coverage.md.j2", {"rows": rows}),
        "include/rcl/protocol/pushes.h": ("pushes.h.j2", {}),
        "pushes.cpp": ("pushes.cpp.j2", {}),
        "pushes_test.cpp": ("pushes_test.cpp.j2", {}),
        "include/rcl/protocol/control_messages.h": ("control_messages.h.j2", {}),
        "control_messages.cpp": ("control_messages.cpp.j2", {}),
        **opencl_wire_outputs(),
    }
    try:
        for out, (template, extra) in names.items():
            text = env.get_template(template).render(slots=slots, calls=calls, extensions=exts, template=template,
                                                      private_calls=privates, description=description,
                                                      first_extension_call=first_extension_call, **extra)
            write(f"{args.out}/{out}", text)
    except model.AnnotationError as e:
        sys.exit(f"{args.annotations}: annotation errors:\n{e}")
    ext_rows = [{"name": e.name, "status": e.status, "functions": e.functions, "queries": e.queries,
                 "why": e.why, "source": e.source} for e in exts]
    write(f"{args.out}/coverage.json", json.dumps({"entries": rows, "extensions": ext_rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
