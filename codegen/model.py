"""The generator's model of the OpenCL API: what a call, its parameters, its
wire fields and variants, a dispatch slot and an extension are, and the
words the annotations of opencl_calls.toml use. Filled by annotate.py (the
prototypes of headers.py joined with the annotations; roles.py gives the
conventional parameters their roles)."""

from dataclasses import dataclass, field

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
