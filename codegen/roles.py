"""The roles conventional parameters get when the annotations name none
(event wait lists, events, errcode_ret, callbacks by their kind and their
user_data, command buffers' sync points), and how a role's text reads."""

import re

from headers import split_params

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
