#include "CSocketDiag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/// Whether `kernel` (an address as the kernel reports it for a socket of `kernel_family`) is `wanted` (of `family`):
/// the same bytes, or an IPv4 address an IPv6 socket holds v4-mapped (a dual-stack client, as Java makes by default,
/// connecting to 127.0.0.1).
static int same_address(int family, const uint8_t *wanted, int kernel_family, const uint8_t *kernel) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (kernel_family == family) return memcmp(kernel, wanted, family == AF_INET ? 4 : 16) == 0;
    if (family == AF_INET && kernel_family == AF_INET6)
        return memcmp(kernel, mapped, sizeof mapped) == 0 && memcmp(kernel + 12, wanted, 4) == 0;
    return 0;
}

int starfleet_tcp_socket_owner(int family, const uint8_t *local, uint16_t local_port, const uint8_t *remote,
                               uint16_t remote_port, uint32_t *uid, uint64_t *inode) {
    size_t length = family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
    if (length == 0) return -EAFNOSUPPORT;

    struct {
        struct nlmsghdr header;
        struct inet_diag_req_v2 request;
    } message;
    memset(&message, 0, sizeof message);
    message.header.nlmsg_len = sizeof message;
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST; /* no NLM_F_DUMP: an exact lookup, not a walk of every socket */
    message.request.sdiag_family = (uint8_t)family;
    message.request.sdiag_protocol = IPPROTO_TCP;
    message.request.idiag_states = ~0U;
    message.request.id.idiag_sport = htons(local_port);
    message.request.id.idiag_dport = htons(remote_port);
    memcpy(message.request.id.idiag_src, local, length);
    memcpy(message.request.id.idiag_dst, remote, length);
    message.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
    message.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -errno;
    struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
    if (sendto(fd, &message, sizeof message, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0) {
        int error = errno;
        close(fd);
        return -error;
    }
    /* The kernel answers within sendto; MSG_DONTWAIT so a missing answer is an error, never a hang. */
    union {
        struct nlmsghdr header;
        char bytes[8192];
    } answer;
    ssize_t count;
    do {
        count = recv(fd, &answer, sizeof answer, MSG_DONTWAIT);
    } while (count < 0 && errno == EINTR);
    int error = count < 0 ? errno : 0;
    close(fd);
    if (count < 0) return -error;

    int remaining = (int)count;
    for (struct nlmsghdr *header = &answer.header; NLMSG_OK(header, remaining); header = NLMSG_NEXT(header, remaining)) {
        if (header->nlmsg_type == NLMSG_ERROR) {
            if (header->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr))) return -EPROTO;
            int code = ((struct nlmsgerr *)NLMSG_DATA(header))->error;
            return code == -ENOENT ? 0 : (code < 0 ? code : -EPROTO);
        }
        if (header->nlmsg_type != SOCK_DIAG_BY_FAMILY) continue;
        if (header->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) return -EPROTO;
        const struct inet_diag_msg *found = NLMSG_DATA(header);
        /* The kernel may fall back to a listening socket: only the exact four-tuple counts. */
        if (found->id.idiag_sport != htons(local_port) || found->id.idiag_dport != htons(remote_port) ||
            !same_address(family, local, found->idiag_family, (const uint8_t *)found->id.idiag_src) ||
            !same_address(family, remote, found->idiag_family, (const uint8_t *)found->id.idiag_dst))
            return 0;
        *uid = found->idiag_uid;
        *inode = found->idiag_inode;
        return 1;
    }
    return 0;
}
