"""remote-cl's own messages (codegen/private_calls.toml): their ids, names,
and what the server runs each one as. One id space with the dispatch slots."""

import tomllib
from dataclasses import dataclass

from model import AnnotationError

SOURCE = "codegen/private_calls.toml"
GROUPS = ("control", "calls")
DISPATCHES = ("standin", "extension", "session")


@dataclass
class PrivateCall:
    name: str
    id: int
    group: str           # "control" or "calls"
    doc: str
    dispatch: str = ""   # calls: "standin", "extension" or "session"
    stands_for: str = ""
    handler: str = ""
    write: bool | None = None
    header: str = ""
    request: str = ""  # the struct of its request described in messages.toml ([requests.*]): the handler gets it decoded

    def run(self):
        """The stand-in table's call of the handler: a lambda when it takes the
        decoded request (protocol::calls::NAME, a malformed one refused with the
        decoder's DecodeError naming the field) or `write`."""
        args = ["c"]
        if self.request:
            args.append(f"protocol::calls::{self.request}::decodeBody(c.args(), c.seq())")
        if self.write is not None:
            args.append("true" if self.write else "false")
        if len(args) == 1:
            return f"&{self.handler}"
        return f"[](CallContext& c) {{ {self.handler}({', '.join(args)}); }}"


def load(path, slots):
    """The private calls, in id order; checked against the dispatch slots."""
    with open(path, "rb") as f:
        table = tomllib.load(f)
    errors, calls = [], []
    slot_names = {s.name for s in slots}
    for group, entries in table.items():
        if group not in GROUPS:
            errors.append(f"[{group}]: not a group ({', '.join(GROUPS)})")
            continue
        for name, e in entries.items():
            where = f"[{group}.{name}]"
            unknown = set(e) - {"id", "doc", "stands_for", "handler", "write", "header", "dispatch"}
            if unknown:
                errors.append(f"{where}: unknown keys {sorted(unknown)}")
            if not isinstance(e.get("id"), int) or not e.get("doc"):
                errors.append(f"{where}: needs an integer id and a doc")
                continue
            call = PrivateCall(name=name, id=e["id"], group=group, doc=e["doc"])
            if group == "calls":
                call.dispatch = e.get("dispatch", "standin")
                if call.dispatch not in DISPATCHES:
                    errors.append(f"{where}: dispatch {call.dispatch!r} is not one of {DISPATCHES}")
                if call.dispatch == "standin":
                    call.stands_for, call.handler = e.get("stands_for", ""), e.get("handler", "")
                    call.write, call.header = e.get("write"), e.get("header", "")
                    if call.stands_for not in slot_names:
                        errors.append(f"{where}: stands_for {call.stands_for!r} is no entry point of the dispatch table")
                    if not call.handler or not call.header:
                        errors.append(f"{where}: a stand-in call needs a handler and its header")
                elif {"stands_for", "handler", "write", "header"} & set(e):
                    errors.append(f"{where}: only stand-in calls have stands_for, handler, write, header")
            elif set(e) - {"id", "doc"}:
                errors.append(f"{where}: a control message has only an id and a doc")
            calls.append(call)
    for group in GROUPS:
        seen = {}
        for c in calls:
            if c.group != group:
                continue
            if c.id < len(slots):
                errors.append(f"[{group}.{c.name}]: id {c.id} is among the dispatch slots (0..{len(slots) - 1})")
            if c.id in seen:
                errors.append(f"[{group}.{c.name}]: id {c.id} is also {seen[c.id]}'s")
            seen[c.id] = c.name
    extension_ids = [c.id for c in calls if c.dispatch == "extension"]
    if extension_ids and any(c.id >= min(extension_ids) for c in calls if c.group == "calls" and c.dispatch != "extension"):
        errors.append("the extension calls' ids must come after every other call's")
    if errors:
        raise AnnotationError("\n".join(f"{SOURCE}: {e}" for e in errors))
    return sorted(calls, key=lambda c: (c.group, c.id))
