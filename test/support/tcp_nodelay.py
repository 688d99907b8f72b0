"""Prints 1 if the TCP socket of process PID bound to local port PORT has TCP_NODELAY set, else 0.

Reads the kernel's own socket option: the socket is found through /proc/net/tcp{,6} and the
process's fd table, and duplicated with pidfd_getfd(2). Usage: tcp_nodelay.py PID PORT
"""
import ctypes, os, socket, sys

pid, port = int(sys.argv[1]), int(sys.argv[2])

def inodes_for_local_port(port):
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "01":  # ESTABLISHED
                found.add(inode)
    return found

inodes = inodes_for_local_port(port)
fd = None
for name in os.listdir(f"/proc/{pid}/fd"):
    try:
        target = os.readlink(f"/proc/{pid}/fd/{name}")
    except OSError:
        continue
    if target.startswith("socket:[") and target[8:-1] in inodes:
        fd = int(name)
        break
if fd is None:
    sys.exit(f"no established socket on local port {port} in process {pid}")

libc = ctypes.CDLL(None, use_errno=True)
SYS_pidfd_getfd = 438
pidfd = os.pidfd_open(pid)
local_fd = libc.syscall(SYS_pidfd_getfd, pidfd, fd, 0)
if local_fd < 0:
    sys.exit(f"pidfd_getfd failed: {os.strerror(ctypes.get_errno())}")
s = socket.socket(fileno=local_fd)
print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) and 1 or 0)
