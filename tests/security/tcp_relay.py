#!/usr/bin/env python3
"""A TCP relay that records every byte it passes, for the capture test.

    tcp_relay.py --listen 127.0.0.2 --target 127.0.0.1 --capture FILE PORT [PORT...]

For each PORT it listens on LISTEN:PORT and relays each connection to
TARGET:PORT, appending the bytes of both directions to FILE as they pass.
Once every port listens it prints "listening on tcp://LISTEN:FIRST_PORT";
it runs until it is killed.
"""

import argparse
import asyncio
import functools


async def pump(reader, writer, capture):
    try:
        while data := await reader.read(65536):
            capture.write(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def relay(target, port, capture, client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection(target, port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pump(client_reader, server_writer, capture),
                         pump(server_reader, client_writer, capture))


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--capture", required=True)
    parser.add_argument("ports", nargs="+", type=int)
    args = parser.parse_args()
    with open(args.capture, "ab", buffering=0) as capture:
        servers = [await asyncio.start_server(functools.partial(relay, args.target, port, capture),
                                              args.listen, port)
                   for port in args.ports]
        print(f"listening on tcp://{args.listen}:{args.ports[0]}", flush=True)
        await asyncio.gather(*(server.serve_forever() for server in servers))


if __name__ == "__main__":
    asyncio.run(main())
