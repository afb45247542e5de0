/* SPDX-License-Identifier: Apache-2.0 */
/* The pod's network namespace: made with lo up and bind-mounted at /run/netns/rkt-<uuid> (a shared mount
 * point, as "ip netns" keeps it), and removed again. */
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fd-util.h"
#include "fs.h"
#include "net-host.h"
#include "process.h"
#include "util.h"

/* As "ip netns add" does: /run/netns is a shared mount point, so that the namespaces' bind mounts reach the
 * mount namespaces made later (and their removal does too: a copy left in another mount namespace would
 * keep the pod's namespace and its veth alive). */
int net_netns_prepare_dir(void) {
        _cleanup_close_ int fd = -1;
        int r = mkdir_p(NET_NETNS_DIR, 0755);

        if (r < 0)
                return r;
        /* Two pods starting at once on a fresh host must not both bind it over itself: the second mount
         * would hide the first pod's namespace. */
        fd = open(NET_NETNS_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        while (flock(fd, LOCK_EX) < 0)
                if (errno != EINTR)
                        return negative_errno();
        if (mount("", NET_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL) >= 0)
                return 0;
        if (errno != EINVAL)
                return negative_errno();
        if (mount(NET_NETNS_DIR, NET_NETNS_DIR, NULL, MS_BIND | MS_REC, NULL) < 0 ||
            mount("", NET_NETNS_DIR, NULL, MS_SHARED | MS_REC, NULL) < 0)
                return negative_errno();
        return 0;
}

static int loopback_up(void) {
        _cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {};

        if (s < 0)
                return negative_errno();
        strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
        if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
                return negative_errno();
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
                return negative_errno();
        return 0;
}

int net_netns_create(const char *path) {
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0);
        int status, r;
        pid_t pid;

        if (fd < 0)
                return negative_errno();
        fd = safe_close(fd);
        pid = fork();
        if (pid < 0)
                return negative_errno();
        if (pid == 0) {
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(errno);
                if (loopback_up() < 0)
                        _exit(errno);
                if (mount("/proc/self/ns/net", path, NULL, MS_BIND, NULL) < 0)
                        _exit(errno);
                _exit(0);
        }
        r = wait_pid(pid, &status, 0);
        if (r < 0)
                return r;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                (void) unlink(path);
                return WIFEXITED(status) ? -WEXITSTATUS(status) : -EIO;
        }
        return 0;
}

int net_netns_destroy(const char *path) {
        if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                return negative_errno();
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

bool net_netns_path_ours(const char *path, const char *uuid) {
        const char *rest =
                startswith(path, NET_NETNS_DIR "/rkt-") ?: startswith(path, "/var/run/netns/rkt-");
        return rest && streq(rest, uuid);
}
