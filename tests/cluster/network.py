"""Hosts as Linux network namespaces on one bridge, and the faults the network can have.

The machine's own namespace holds the bridge and the shared services of the harness
(Postgres, Redis, HAProxy and the viewers), reachable at ``BRIDGE_ADDRESS``; every other
host (workers, web, beat, the simulator) is a namespace joined to the bridge by a veth
pair. Partitioning a host sets its bridge port to "disabled": the bridge drops every frame
from it and forwards none to it, while both links stay up, so neither side is told (no
FIN, no RST, no carrier loss), which is what a failed switch or router between them does.
The neighbour entries are permanent, so that a failed ARP does not tell the host either
("no route to host"). Everything made here is removed by ``remove`` (also at exit, should
a test die).
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ipaddress
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field

# A private /24 unlikely to be in use; the bridge and namespaces carry the same prefix, so
# anything a dead run left behind is recognisable and removed by the next.
PREFIX = "ddecl"
SUBNET = ipaddress.ip_network("10.77.0.0/24")
BRIDGE = f"{PREFIX}0"
BRIDGE_ADDRESS = "10.77.0.1"
BRIDGE_MAC = "02:77:00:00:00:01"
_PORT_DISABLED, _PORT_FORWARDING = "0", "3"


def missing_tools() -> list[str]:
    """Why namespaces cannot be made here (empty when they can)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (network namespaces and veth pairs)")
    if shutil.which("ip") is None or shutil.which("bridge") is None:
        missing.append("ip and bridge (iproute2): apt-get install iproute2")
    return missing


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


@dataclass
class Host:
    name: str
    address: str

    @property
    def namespace(self) -> str:
        return f"{PREFIX}-{self.name}"

    @property
    def bridge_end(self) -> str:
        # Interface names have at most 15 characters.
        return f"{PREFIX}v{self.name}"[:15]

    def wrap(self) -> tuple[str, ...]:
        """The prefix that runs a command on this host."""
        return ("ip", "netns", "exec", self.namespace)


@dataclass
class Network:
    hosts: dict[str, Host] = field(default_factory=dict)

    def create(self) -> None:
        remove_leftovers()
        atexit.register(self.remove)
        _ip("link", "add", BRIDGE, "address", BRIDGE_MAC, "type", "bridge")
        _ip("addr", "add", f"{BRIDGE_ADDRESS}/{SUBNET.prefixlen}", "dev", BRIDGE)
        _ip("link", "set", BRIDGE, "up")

    def add_host(self, name: str) -> Host:
        number = len(self.hosts) + 11
        host = Host(name, str(SUBNET[number]))
        self.hosts[name] = host
        inside = f"{PREFIX}i{name}"[:15]
        mac = f"02:77:00:00:01:{number:02x}"
        _ip("netns", "add", host.namespace)
        _ip("link", "add", host.bridge_end, "type", "veth", "peer", "name", inside)
        _ip("link", "set", inside, "address", mac)
        _ip("link", "set", inside, "netns", host.namespace)
        _ip("link", "set", host.bridge_end, "master", BRIDGE)
        _ip("link", "set", host.bridge_end, "up")
        in_ns = ("-n", host.namespace)
        _ip(*in_ns, "link", "set", "lo", "up")
        _ip(*in_ns, "addr", "add", f"{host.address}/{SUBNET.prefixlen}", "dev", inside)
        _ip(*in_ns, "link", "set", inside, "up")
        neighbour = ("neigh", "replace")
        _ip(
            *in_ns,
            *neighbour,
            BRIDGE_ADDRESS,
            "lladdr",
            BRIDGE_MAC,
            "dev",
            inside,
            "nud",
            "permanent",
        )
        _ip(*neighbour, host.address, "lladdr", mac, "dev", BRIDGE, "nud", "permanent")
        return host

    def partition(self, name: str) -> None:
        _bridge_port_state(self.hosts[name].bridge_end, _PORT_DISABLED)

    def heal(self, name: str) -> None:
        _bridge_port_state(self.hosts[name].bridge_end, _PORT_FORWARDING)

    def remove(self) -> None:
        for host in self.hosts.values():
            _ip("link", "del", host.bridge_end, check=False)  # takes its peer with it
            _ip("netns", "del", host.namespace, check=False)
        self.hosts.clear()
        _ip("link", "del", BRIDGE, check=False)


_CLONE_NEWNET = 0x40000000


@contextlib.contextmanager
def inside(host: Host) -> Iterator[None]:
    """Run the calling thread on ``host`` for a while. A network namespace belongs to a
    thread, not a process, and a thread starts in its creator's: a thread started in here
    (a server of the test process, such as the simulator) stays on the host after the
    caller has gone back, and its sockets with it."""
    libc = ctypes.CDLL(None, use_errno=True)

    def enter(namespace: int) -> None:
        if libc.setns(namespace, _CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns into a network namespace failed")

    with (
        open("/proc/thread-self/ns/net") as home,
        open(f"/run/netns/{host.namespace}") as there,
    ):
        enter(there.fileno())
        try:
            yield
        finally:
            enter(home.fileno())


def _bridge_port_state(port: str, state: str) -> None:
    subprocess.run(
        ["bridge", "link", "set", "dev", port, "state", state], check=True, capture_output=True
    )


def remove_leftovers() -> None:
    """Namespaces and links of a run that died before removing them."""
    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    for line in listed.splitlines():
        name = line.split()[0] if line.strip() else ""
        if name.startswith(f"{PREFIX}-"):
            _ip("netns", "del", name, check=False)
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    for line in links.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name.startswith(PREFIX):
            with contextlib.suppress(subprocess.CalledProcessError):
                _ip("link", "del", name)
