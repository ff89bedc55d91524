import socket, base64, os, sys
port = int(sys.argv[1])
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
r = b""
while b"hello" not in r:
    d = s.recv(4096)
    if not d: break
    r += d
assert b"hello" in r, r
s = socket.create_connection(("127.0.0.1", port))
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % key).encode())
r = b""
while b"\r\n\r\n" not in r: r += s.recv(4096)
assert b" 101 " in r, r
rest = r.split(b"\r\n\r\n",1)[1]
msg = b"ping"; mask = os.urandom(4)
s.sendall(bytes([0x81, 0x80 | len(msg)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
while len(rest) < 2 + len(msg): rest += s.recv(4096)
assert rest[2:2+len(msg)] == msg, rest
print("ok")
