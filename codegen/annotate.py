"""The annotations of opencl_calls.toml joined with the headers' prototypes:
each call's class, sides and parameter roles (checked: an annotation error
names what is wrong), and the [extensions] table."""

import tomllib
from dataclasses import replace

from headers import PROTOTYPE, header_extensions, parse_headers, parse_param, parse_prototypes, preprocess, split_params
from model import (CLASSES, EXTENSION_STATUSES, HAND_ROLES, INFO_PARAMS, ROLES, TAIL_TYPES, AnnotationError, Call,
                   Extension, Slot, Variant, Variants, WireField)
from roles import default_role, parse_role

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
