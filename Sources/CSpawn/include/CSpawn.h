// GNU/Linux process-control calls that Swift's Glibc module does not expose (it is compiled without
// _GNU_SOURCE, so pipe2 and the *_np spawn actions are invisible, and pidfd_open needs syscall(2), which is
// variadic). Each wrapper returns 0 (or the new fd) on success and -1 with errno set on failure, except the
// posix_spawn_file_actions ones, which return an error number like posix_spawn itself.
#ifndef CSPAWN_H
#define CSPAWN_H
#include <spawn.h>
#include <sys/types.h>

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec from birth, so no concurrent spawn can inherit them.
int cspawn_pipe(int fds[2]);

/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29): the child changes directory before exec.
int cspawn_file_actions_addchdir(posix_spawn_file_actions_t *actions, const char *path);

/// posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34): the child closes every fd >= from before exec.
int cspawn_file_actions_addclosefrom(posix_spawn_file_actions_t *actions, int from);

/// pidfd_open(pid, 0) (Linux >= 5.3): a close-on-exec fd that polls readable once the process has exited.
int cspawn_pidfd_open(pid_t pid);

#endif
