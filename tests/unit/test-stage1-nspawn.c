/* SPDX-License-Identifier: Apache-2.0 */
#include "nspawn-args.h"
#include "socket-units.h"
#include "strv.h"
#include "unit.h"

#define UUID "0123abcd-4567-89ef-0123-456789abcdef"

static char *joined(const NspawnOptions *o) {
        _cleanup_strv_free_ char **argv = NULL;
        assert_int_equal(nspawn_argv(o, &argv), 0);
        return strv_join(argv, " ");
}

static void test_register(void **state) {
        NspawnOptions o = {.uuid = UUID, .directory = "stage1/rootfs", .register_machine = true};
        _cleanup_free_ char *s = joined(&o);

        assert_string_equal(s, NSPAWN_PATH
                            " --boot --notify-ready=yes --quiet --uuid=" UUID " --machine=rkt-" UUID
                            " --directory=stage1/rootfs --link-journal=try-guest --register=yes"
                            " --console=read-only"
                            " --setenv=SYSTEMD_UNIT_PATH=/etc/systemd/system:/usr/lib/systemd/system"
                            " -- --default-standard-output=tty --log-target=null"
                            " --show-status=0");
}

static void test_machine_name(void **state) {
        NspawnOptions o = {.uuid = UUID, .machine_name = "web", .directory = "d", .register_machine = true};
        _cleanup_strv_free_ char **argv = NULL;

        assert_int_equal(nspawn_argv(&o, &argv), 0);
        assert_true(strv_contains(argv, "--machine=web"));
        assert_true(strv_contains(argv, "--uuid=" UUID));
}

static void test_no_register(void **state) {
        NspawnOptions o = {.uuid = UUID, .directory = "stage1/rootfs", .keep_unit = true};
        _cleanup_strv_free_ char **argv = NULL;

        assert_int_equal(nspawn_argv(&o, &argv), 0);
        assert_true(strv_contains(argv, "--register=no"));
        assert_true(strv_contains(argv, "--keep-unit"));
        assert_false(strv_contains(argv, "--register=yes"));
}

static void test_keep_unit_registered(void **state) {
        NspawnOptions o = {.uuid = UUID, .directory = "d", .register_machine = true, .keep_unit = true};
        _cleanup_free_ char *s = joined(&o);

        assert_non_null(strstr(s, " --register=yes --keep-unit "));
}

static void test_net_none_interactive_caps(void **state) {
        NspawnOptions o = {.uuid = UUID,
                           .directory = "d",
                           .private_network = true,
                           .interactive = true,
                           .all_capabilities = true};
        _cleanup_strv_free_ char **argv = NULL;
        size_t sep;

        assert_int_equal(nspawn_argv(&o, &argv), 0);
        assert_true(strv_contains(argv, "--private-network"));
        assert_true(strv_contains(argv, "--console=interactive"));
        assert_true(strv_contains(argv, "--capability=all"));
        /* nspawn options all come before "--", the pod's systemd's after. */
        for (sep = 0; argv[sep] && !streq(argv[sep], "--"); sep++)
                ;
        assert_non_null(argv[sep]);
        for (size_t i = 1; i < sep; i++)
                assert_true(startswith(argv[i], "--"));
        assert_string_equal(argv[sep + 1], "--default-standard-output=tty");
}

static void test_debug(void **state) {
        NspawnOptions o = {.uuid = UUID, .directory = "d", .debug = true, .register_machine = true};
        _cleanup_strv_free_ char **argv = NULL;

        assert_int_equal(nspawn_argv(&o, &argv), 0);
        assert_false(strv_contains(argv, "--quiet"));
        assert_true(strv_contains(argv, "--log-target=console"));
        assert_true(strv_contains(argv, "--show-status=1"));
        assert_false(strv_contains(argv, "--log-target=null"));
}

static void test_invalid(void **state) {
        NspawnOptions o = {.directory = "d"};
        char **argv = NULL;

        assert_int_equal(nspawn_argv(&o, &argv), -EINVAL);
        o = (NspawnOptions){.uuid = UUID};
        assert_int_equal(nspawn_argv(&o, &argv), -EINVAL);
        assert_null(argv);
}

static void test_environment(void **state) {
        char *in[] = {"PATH=/bin", "SYSTEMD_LOG_LEVEL=debug", "RKT_LOCK_FD=3", NULL};
        NspawnOptions quiet = {.uuid = UUID, .directory = "d"};
        NspawnOptions debug = {.uuid = UUID, .directory = "d", .debug = true};
        _cleanup_strv_free_ char **e = NULL, **d = NULL, **empty = NULL;

        assert_int_equal(nspawn_environment(&quiet, in, &e), 0);
        assert_int_equal(strv_length(e), 4);
        assert_true(strv_contains(e, "PATH=/bin"));
        assert_true(strv_contains(e, "RKT_LOCK_FD=3"));
        assert_true(strv_contains(e, "SYSTEMD_LOG_LEVEL=err"));
        assert_true(strv_contains(e, "SYSTEMD_NSPAWN_CONTAINER_SERVICE=rkt"));

        /* --debug leaves the caller's log level alone. */
        assert_int_equal(nspawn_environment(&debug, in, &d), 0);
        assert_true(strv_contains(d, "SYSTEMD_LOG_LEVEL=debug"));
        assert_true(strv_contains(d, "SYSTEMD_NSPAWN_CONTAINER_SERVICE=rkt"));

        assert_int_equal(nspawn_environment(&debug, NULL, &empty), 0);
        assert_int_equal(strv_length(empty), 1);
        assert_false(strv_contains(empty, "NOTIFY_SOCKET=/run/systemd/notify"));
}

/* On a cgroup2-only host the pod gets no cgroup namespace (nspawn binds the tree read-only and the pod's own
 * cgroup read-write); on hybrid hosts nspawn's default stays, and so does a caller's setting. */
static void test_environment_cgroup(void **state) {
        char *in[] = {"SYSTEMD_NSPAWN_USE_CGNS=1", NULL};
        NspawnOptions unified = {.uuid = UUID, .directory = "d", .cgroup_unified = true};
        NspawnOptions hybrid = {.uuid = UUID, .directory = "d"};
        _cleanup_strv_free_ char **u = NULL, **h = NULL, **hin = NULL;

        assert_int_equal(nspawn_environment(&unified, in, &u), 0);
        assert_true(strv_contains(u, "SYSTEMD_NSPAWN_USE_CGNS=0"));
        assert_false(strv_contains(u, "SYSTEMD_NSPAWN_USE_CGNS=1"));
        assert_int_equal(nspawn_environment(&hybrid, NULL, &h), 0);
        assert_false(strv_contains(h, "SYSTEMD_NSPAWN_USE_CGNS=0"));
        assert_int_equal(nspawn_environment(&hybrid, in, &hin), 0);
        assert_true(strv_contains(hin, "SYSTEMD_NSPAWN_USE_CGNS=1"));
}

/* nspawn's readiness goes to init's relay, not straight to the service manager (init is the main PID). */
static void test_notify_socket(void **state) {
        char *in[] = {"NOTIFY_SOCKET=/run/systemd/notify", NULL};
        NspawnOptions o = {.uuid = UUID, .directory = "d", .notify_socket = "@00a1f"};
        _cleanup_strv_free_ char **e = NULL;

        assert_int_equal(nspawn_environment(&o, in, &e), 0);
        assert_true(strv_contains(e, "NOTIFY_SOCKET=@00a1f"));
        assert_false(strv_contains(e, "NOTIFY_SOCKET=/run/systemd/notify"));
}

/* The apps' volumes are init's to mount (through fds, in its mount namespace), never nspawn's: no path in an
 * app's rootfs is ever handed to nspawn, which would resolve it again. */
static void test_capabilities_no_volume_binds(void **state) {
        NspawnOptions o = {.uuid = UUID,
                           .directory = "d",
                           .capabilities = "CAP_NET_ADMIN,CAP_SYS_TIME",
                           .device_allow = (char *[]){"/dev/char/1:3 rw", "/dev/block/7:0 r", NULL}};
        _cleanup_free_ char *s = joined(&o);

        assert_non_null(
                strstr(s, " --capability=CAP_NET_ADMIN,CAP_SYS_TIME --property=DeviceAllow=/dev/char/1:3 rw"
                          " --property=DeviceAllow=/dev/block/7:0 r --setenv="));
        assert_null(strstr(s, "--bind"));
        assert_null(strstr(s, "/opt/stage2"));
        /* --disable-capabilities-restriction: all of them, nothing else */
        o.all_capabilities = true;
        free(s);
        s = joined(&o);
        assert_non_null(strstr(s, " --capability=all "));
        assert_null(strstr(s, "CAP_NET_ADMIN"));
}

static void test_host_resolv_conf(void **state) {
        NspawnOptions o = {.uuid = UUID, .directory = "d"};
        _cleanup_free_ char *without = joined(&o), *with = NULL;

        assert_null(strstr(without, "resolv.conf"));
        o.host_resolv_conf = (NspawnBind){.source = "/run/systemd/resolve/resolv.conf",
                                          .destination = "/etc/rkt-host-resolv.conf",
                                          .read_only = true};
        with = joined(&o);
        assert_non_null(strstr(
                with,
                " --bind-ro=/run/systemd/resolve/resolv.conf:/etc/rkt-host-resolv.conf:norbind --setenv="));
        /* paths nspawn cannot carry, relative paths */
        {
                _cleanup_strv_free_ char **argv = NULL;
                o.host_resolv_conf.source = "/srv/a:b";
                assert_int_equal(nspawn_argv(&o, &argv), -EINVAL);
                o.host_resolv_conf.source = "/srv/a\\b";
                assert_int_equal(nspawn_argv(&o, &argv), -EINVAL);
                o.host_resolv_conf.source = "relative";
                assert_int_equal(nspawn_argv(&o, &argv), -EINVAL);
                o.host_resolv_conf.source = "/etc/resolv.conf";
                o.host_resolv_conf.destination = "etc/x";
                assert_int_equal(nspawn_argv(&o, &argv), -EINVAL);
                assert_null(argv);
        }
}

static void test_private_users(void **state) {
        UidRange users = {.shift = 0x7FFF0000, .count = 0x10000};
        NspawnOptions o = {.uuid = UUID, .directory = "stage1/rootfs", .register_machine = true};
        _cleanup_free_ char *without = joined(&o), *with = NULL;

        assert_null(strstr(without, "--private-users"));
        o.private_users = &users;
        with = joined(&o);
        /* The ownership stays as stage0 made it: no chown, no ID-mapped mount on top. */
        assert_non_null(strstr(with, " --private-users=2147418112:65536 --private-users-ownership=off "));
        assert_true(strstr(with, "--private-users=") < strstr(with, " -- "));
        /* nspawn could not join the pod's network namespace from the user namespace: it is started in it. */
        o.network_namespace_path = "/run/netns/rkt-" UUID;
        free(with);
        with = joined(&o);
        assert_null(strstr(with, "--network-namespace-path"));
        assert_null(strstr(with, "--private-network"));
}

/* Socket activation: one Listen line per socket-activated port, at the port the pod exposes it on (the
 * host's), else at the image's port (named for a warning); none for an app without such ports. */
static void test_socket_unit(void **state) {
        AppcPort ports[] = {
                {.name = "web", .protocol = "tcp", .port = 80, .count = 1, .socket_activated = true},
                {.name = "plain", .protocol = "tcp", .port = 81, .count = 1},
                {.name = "dns", .protocol = "udp", .port = 53, .count = 1, .socket_activated = true},
        };
        AppcApp app = {.ports = ports, .n_ports = 3};
        AppcExposedPort exposed[] = {{.name = "web", .host_port = 8080},
                                     {.name = "plain", .host_port = 8081}};
        AppcPodManifest pod = {.ports = exposed, .n_ports = 2};
        _cleanup_free_ char *u = NULL;
        const char *unexposed = NULL;

        assert_int_equal(stage1_socket_unit("app", &app, &pod, &u, &unexposed), 0);
        assert_string_equal(u, "[Unit]\nDescription=Application=app socket-activated ports\n"
                               "DefaultDependencies=no\nConflicts=shutdown.target\nBefore=shutdown.target\n"
                               "\n[Socket]\nService=app.service\nBindIPv6Only=both\n"
                               "ListenStream=8080\nListenDatagram=53\n");
        assert_string_equal(unexposed, "dns");
        free(u);
        u = NULL;

        ports[0].socket_activated = ports[2].socket_activated = false;
        assert_int_equal(stage1_socket_unit("app", &app, &pod, &u, &unexposed), 0);
        assert_null(u);
        assert_null(unexposed);

        ports[1] =
                (AppcPort){.name = "x", .protocol = "sctp", .port = 9, .count = 1, .socket_activated = true};
        assert_int_equal(stage1_socket_unit("app", &app, NULL, &u, NULL), -EINVAL);
        assert_null(u);
}

RUN_TESTS(cmocka_unit_test(test_register), cmocka_unit_test(test_machine_name),
          cmocka_unit_test(test_private_users), cmocka_unit_test(test_no_register),
          cmocka_unit_test(test_capabilities_no_volume_binds), cmocka_unit_test(test_host_resolv_conf),
          cmocka_unit_test(test_keep_unit_registered), cmocka_unit_test(test_net_none_interactive_caps),
          cmocka_unit_test(test_debug), cmocka_unit_test(test_invalid), cmocka_unit_test(test_environment),
          cmocka_unit_test(test_environment_cgroup), cmocka_unit_test(test_notify_socket),
          cmocka_unit_test(test_socket_unit))
