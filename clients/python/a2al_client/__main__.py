"""``python3 -m a2al_client --print-socket``: the socket path the client would use, so the
shared table of environments (Tests/socket-defaults.json) can be checked against it."""
import sys

from .client import default_socket_path


def main(argv):
    if argv != ["--print-socket"]:
        print("usage: python3 -m a2al_client --print-socket", file=sys.stderr)
        return 2
    print(default_socket_path())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
