"""Reading the installed OpenCL headers (preprocessed by the C compiler): the
dispatch table's order, every prototype, each extension's functions."""

import re
import subprocess

from model import Call, Param, Slot

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


def parse_prototypes(text):
    """{name: (return type, [parameter declarations])} of every prototype in the headers."""
    out = {}
    for m in PROTOTYPE.finditer(text):
        out[m.group(2)] = (" ".join(m.group(1).split()).replace(" *", "*"), split_params(m.group(3)))
    return out
