#!/usr/bin/env python3
"""Run a command with remote-cl pointed at a freshly started remote-cl-server.

Usage:
    with-server.py --server PATH/remote-cl-server --vendors DIR [--log FILE]
                   [--server-arg=ARG ...] -- COMMAND ARGS...

The server listens on a free local port and sees the native OpenCL platforms
(OCL_ICD_VENDORS is removed from its environment). COMMAND runs with
OCL_ICD_VENDORS=DIR and REMOTE_CL_SERVERS=<endpoint>, so the OpenCL ICD loader
finds only remote-cl. The server is always stopped afterwards; the exit code is
COMMAND's.

Also importable (see tests/clinfo/compare_clinfo.py): running_server(),
native_environment() and remote_environment() are the reusable parts.
"""

import argparse
import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LISTEN_ADDRESS = "tcp://127.0.0.1:*"
READY_PREFIX = "listening on "
READY_TIMEOUT_SECONDS = 20
READY_POLL_SECONDS = 0.05
STOP_TIMEOUT_SECONDS = 5
PR_SET_PDEATHSIG = 1
LIBC = ctypes.CDLL(None)


class ServerError(Exception):
    """The server could not be started; the message includes its log."""


class Server:
    """A running remote-cl-server. Set `failed` to keep a temporary log."""

    def __init__(self, process, log_path):
        self.process = process
        self.log_path = log_path
        self.endpoint = None
        self.failed = False

    def read_log(self):
        return Path(self.log_path).read_text(errors="replace")


def native_environment():
    """The environment that sees the native platforms: OCL_ICD_VENDORS removed."""
    environment = dict(os.environ)
    environment.pop("OCL_ICD_VENDORS", None)
    return environment


def remote_environment(vendors_dir, endpoint):
    """The environment in which the ICD loader finds only remote-cl."""
    environment = dict(os.environ)
    environment["OCL_ICD_VENDORS"] = os.path.abspath(vendors_dir)
    environment["REMOTE_CL_SERVERS"] = endpoint
    return environment


def die_with_parent():
    """Runs in the server child: get SIGINT (stop at once) if this script dies, even by SIGKILL."""
    LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGINT)


def start_server_process(server_path, server_args, log_path):
    """Start the server with its stdout and stderr written to the log file.

    The ready line is read back from the log, so the server must flush stdout
    after printing it.

    The server gets its own session so that a terminal's Ctrl-C reaches only
    this script, which then stops the server in order.
    """
    command = [str(server_path), "--listen", LISTEN_ADDRESS, *server_args]
    with open(log_path, "wb") as log_file:
        return subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=log_file,
            env=native_environment(),
            start_new_session=True,
            preexec_fn=die_with_parent,
        )


def find_endpoint(log_text):
    """The endpoint of the first complete 'listening on ENDPOINT' line, or None."""
    for line in log_text.splitlines(keepends=True):
        if line.startswith(READY_PREFIX) and line.endswith("\n"):
            return line[len(READY_PREFIX):].strip()
    return None


def wait_for_endpoint(server):
    """Poll the log for the ready line until it appears, the server exits or time runs out."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        endpoint = find_endpoint(server.read_log())
        if endpoint or server.process.poll() is not None or time.monotonic() > deadline:
            return endpoint
        time.sleep(READY_POLL_SECONDS)


def stop_server_process(process):
    if process.poll() is None:
        # SIGINT: a throw-away server stops at once (SIGTERM would drain: wait for its sessions).
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"with-server: remote-cl-server ignored SIGINT for "
                  f"{STOP_TIMEOUT_SECONDS} s; killing it", file=sys.stderr)
            process.kill()
            process.wait()


def describe_exit(returncode):
    if returncode < 0:
        return f"killed by signal {signal.Signals(-returncode).name}"
    return f"exited with code {returncode}"


def startup_failure_message(server, server_path):
    if server.process.poll() is None:
        reason = f"printed no '{READY_PREFIX}...' line within {READY_TIMEOUT_SECONDS} s"
    else:
        reason = describe_exit(server.process.returncode)
    return (f"remote-cl-server {server_path} {reason}\n"
            f"--- server log {server.log_path} ---\n{server.read_log()}"
            f"--- end of server log ---")


def make_temporary_log():
    handle, log_path = tempfile.mkstemp(prefix="remote-cl-server-", suffix=".log")
    os.close(handle)
    return log_path


def report_unexpected_exit(server):
    """A server that failed after it started listening marks the run failed."""
    if server.endpoint is not None and server.process.poll() not in (None, 0):
        print(f"with-server: remote-cl-server {describe_exit(server.process.returncode)} "
              f"before it was stopped", file=sys.stderr)
        server.failed = True


def finish_log(server, log_is_temporary):
    if server.failed:
        print(f"with-server: server log: {server.log_path}", file=sys.stderr)
    elif log_is_temporary:
        os.unlink(server.log_path)


@contextlib.contextmanager
def running_server(server_path, log_path=None, server_args=()):
    """Start the server, yield a Server once it listens, always stop it.

    Without log_path the server's stdout and stderr go to a temporary file,
    deleted after success and kept (its path printed on stderr) on failure.
    """
    log_is_temporary = log_path is None
    if log_is_temporary:
        log_path = make_temporary_log()
    try:
        process = start_server_process(server_path, server_args, log_path)
    except OSError:
        if log_is_temporary:
            os.unlink(log_path)
        raise
    server = Server(process, log_path)
    try:
        server.endpoint = wait_for_endpoint(server)
        if server.endpoint is None:
            raise ServerError(startup_failure_message(server, server_path))
        yield server
    except BaseException:
        server.failed = True
        raise
    finally:
        report_unexpected_exit(server)
        stop_server_process(server.process)
        finish_log(server, log_is_temporary)


def raise_keyboard_interrupt(signum, frame):
    raise KeyboardInterrupt


def exit_code_of(returncode):
    """Shell convention: a command killed by signal N gives 128 + N."""
    return 128 - returncode if returncode < 0 else returncode


def split_at_double_dash(argv):
    if "--" not in argv:
        return argv, []
    separator = argv.index("--")
    return argv[:separator], argv[separator + 1:]


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Run COMMAND against a freshly started remote-cl-server.",
        usage="%(prog)s --server PATH --vendors DIR [--log FILE] "
              "[--server-arg=ARG ...] -- COMMAND ARGS...")
    parser.add_argument("--server", required=True, type=Path,
                        help="the remote-cl-server executable")
    parser.add_argument("--vendors", required=True, type=Path,
                        help="OCL_ICD_VENDORS directory holding remote-cl.icd")
    parser.add_argument("--log", type=Path,
                        help="server log file (default: a temporary file, kept on failure)")
    parser.add_argument("--server-arg", action="append", default=[], metavar="ARG",
                        help="extra server argument, repeatable; "
                             "write --server-arg=--flag for arguments that start with '-'")
    options, command = split_at_double_dash(argv)
    arguments = parser.parse_args(options)
    if not command:
        parser.error("missing '-- COMMAND ARGS...'")
    if not arguments.vendors.is_dir():
        parser.error(f"--vendors {arguments.vendors} is not a directory")
    arguments.command = command
    return arguments


def main(argv):
    arguments = parse_arguments(argv)
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    signal.signal(signal.SIGHUP, raise_keyboard_interrupt)
    try:
        with running_server(arguments.server, arguments.log, arguments.server_arg) as server:
            environment = remote_environment(arguments.vendors, server.endpoint)
            returncode = subprocess.run(arguments.command, env=environment).returncode
            if returncode != 0:
                print(f"with-server: {arguments.command[0]} {describe_exit(returncode)}",
                      file=sys.stderr)
                server.failed = True
            return exit_code_of(returncode)
    except ServerError as error:
        print(f"with-server: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"with-server: cannot run: {error}", file=sys.stderr)
        return 127
    except KeyboardInterrupt:
        print("with-server: interrupted; server stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
