#ifndef C_SOCKET_DIAG_H
#define C_SOCKET_DIAG_H

#include <stdint.h>

/// The owner of one TCP socket, looked up by its exact four-tuple as that socket sees it (`local` is its own
/// address, `remote` its peer's), through the kernel's NETLINK_SOCK_DIAG (what `ss` uses): one hashed lookup,
/// whatever the number of sockets on the host. Addresses are in network byte order (4 bytes for AF_INET, 16 for
/// AF_INET6), ports in host byte order.
/// Returns 1 when found (`uid` and `inode` set), 0 when no socket has that four-tuple, and -errno when the lookup
/// itself failed (netlink refused by a sandbox, the tcp_diag module absent).
int starfleet_tcp_socket_owner(int family, const uint8_t *local, uint16_t local_port, const uint8_t *remote,
                               uint16_t remote_port, uint32_t *uid, uint64_t *inode);

#endif
