#!/usr/bin/env bats
# The command frame: exit codes, help, version and global flags, as rkt 1.30 behaves.

@test "bare rkt prints help and exits 2" {
        run "$RKT"
        [ "$status" -eq 2 ]
        [[ "$output" == *"USAGE:"* ]]
        [[ "$output" == *"COMMANDS:"* ]]
}

@test "rkt --help and rkt help exit 0 and list the verbs" {
        run "$RKT" --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"version"* ]]
        [[ "$output" == *"--insecure-options"* ]]
        run "$RKT" help
        [ "$status" -eq 0 ]
        [[ "$output" == *"GLOBAL OPTIONS:"* ]]
}

@test "an unknown verb exits 254 and suggests a close one" {
        run "$RKT" nosuchverb
        [ "$status" -eq 254 ]
        [[ "$output" == *"unknown command 'nosuchverb'"* ]]
        run "$RKT" verison
        [ "$status" -eq 254 ]
        [[ "$output" == *"Did you mean this?"* ]]
        [[ "$output" == *"version"* ]]
}

@test "a flag without its value exits 254 naming the flag" {
        run "$RKT" --dir
        [ "$status" -eq 254 ]
        [[ "$output" == *"flag needs an argument: --dir"* ]]
        run "$RKT" version --local-config
        [ "$status" -eq 254 ]
}

@test "unknown flags are errors, before and after the verb" {
        run "$RKT" --bogus version
        [ "$status" -eq 254 ]
        [[ "$output" == *"unknown flag: --bogus"* ]]
        run "$RKT" version --bogus=1
        [ "$status" -eq 254 ]
        [[ "$output" == *"unknown flag: --bogus"* ]]
}

@test "--insecure-options is validated" {
        run "$RKT" --insecure-options=image,tls version
        [ "$status" -eq 0 ]
        run "$RKT" --insecure-options=image,nonsense version
        [ "$status" -eq 254 ]
        [[ "$output" == *"unknown option 'nonsense'"* ]]
}

@test "boolean global flags take true/false and nothing else" {
        run "$RKT" --debug=false version
        [ "$status" -eq 0 ]
        run "$RKT" --trust-keys-from-https=yes version
        [ "$status" -eq 0 ]
        run "$RKT" --debug=maybe version
        [ "$status" -eq 254 ]
}

@test "rkt version prints the rkt and appc versions" {
        run "$RKT" version
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" =~ ^rkt\ Version:\ [0-9]+\.[0-9]+\.[0-9]+ ]]
        [ "${lines[1]}" = "appc Version: 0.8.11" ]
        [[ "$output" == *"Features:"* ]]
}

@test "rkt VERB --help describes the verb and exits 0" {
        run "$RKT" version --help
        [ "$status" -eq 0 ]
        [[ "$output" == *"rkt version - "* ]]
        run "$RKT" help version
        [ "$status" -eq 0 ]
        [[ "$output" == *"rkt version - "* ]]
        run "$RKT" help nosuchverb
        [ "$status" -eq 254 ]
}

@test "verbs accept an unambiguous prefix" {
        run "$RKT" vers
        [ "$status" -eq 0 ]
        [[ "${lines[0]}" == "rkt Version:"* ]]
}

@test "extra arguments are refused" {
        run "$RKT" version extra
        [ "$status" -eq 254 ]
        [[ "$output" == *"too many arguments"* ]]
}

@test "rkt config prints the merged configuration as rkt 1.30's JSON entries" {
        load helpers
        rkt_setup
        mkdir -p "$RKT_SYSTEM_CONFIG_DIR/auth.d" "$RKT_LOCAL_CONFIG_DIR/auth.d" "$RKT_LOCAL_CONFIG_DIR/paths.d" \
                "$RKT_LOCAL_CONFIG_DIR/stage1.d"
        echo '{"rktKind":"auth","rktVersion":"v1","domains":["example.com"],"type":"basic","credentials":{"user":"sys","password":"a"}}' \
                >"$RKT_SYSTEM_CONFIG_DIR/auth.d/a.json"
        # the local dir overrides the system dir per domain
        echo '{"rktKind":"auth","rktVersion":"v1","domains":["example.com"],"type":"oauth","credentials":{"token":"tok"}}' \
                >"$RKT_LOCAL_CONFIG_DIR/auth.d/a.json"
        echo '{"rktKind":"dockerAuth","rktVersion":"v1","registries":["registry.example.com"],"credentials":{"user":"u","password":"p"}}' \
                >"$RKT_LOCAL_CONFIG_DIR/auth.d/d.json"
        echo '{"rktKind":"paths","rktVersion":"v1","stage1-images":"/srv/stage1"}' >"$RKT_LOCAL_CONFIG_DIR/paths.d/p.json"
        echo '{"rktKind":"stage1","rktVersion":"v1","name":"example.com/stage1","version":"2","location":"/srv/stage1/s.aci"}' \
                >"$RKT_LOCAL_CONFIG_DIR/stage1.d/s.json"
        run rkt config --pretty-print=false
        [ "$status" -eq 0 ] || fail "$output"
        [ "$(echo "$output" | jq -c '.stage0[] | select(.rktKind=="auth")')" = \
                '{"rktVersion":"v1","rktKind":"auth","domains":["example.com"],"type":"oauth","credentials":{"token":"tok"}}' ] ||
                fail "auth: $output"
        [ "$(echo "$output" | jq -r '.stage0[] | select(.rktKind=="dockerAuth") | .registries[0] + " " + .credentials.user')" = \
                "registry.example.com u" ] || fail "dockerAuth: $output"
        [ "$(echo "$output" | jq -r '.stage0[] | select(.rktKind=="paths") | .data + " " + .["stage1-images"]')" = \
                "$RKT_DATA_DIR /srv/stage1" ] || fail "paths: $output"
        [ "$(echo "$output" | jq -r '.stage0[] | select(.rktKind=="stage1") | .name + ":" + .version + " " + .location')" = \
                "example.com/stage1:2 /srv/stage1/s.aci" ] || fail "stage1: $output"
        # pretty by default, indented with tabs; a broken file is named, exit 254
        run rkt config
        [[ "${lines[1]}" == $'\t"stage0": [' ]] || fail "not pretty: ${lines[1]}"
        echo '{' >"$RKT_LOCAL_CONFIG_DIR/auth.d/broken.json"
        run rkt config
        [ "$status" -eq 254 ]
        [[ "$output" == *"broken.json"* ]] || fail "$output"
        rkt_teardown
}

@test "rkt loads libsystemd and gpgme only in the verbs that use them, and names them when it cannot" {
        load helpers
        rkt_setup
        local systemd gpgme
        systemd=$(ldconfig -p | awk '$1 == "libsystemd.so.0" && /x86-64/ { print $NF; exit }')
        gpgme=$(ldconfig -p | awk '$1 == "libgpgme.so.11" && /x86-64/ { print $NF; exit }')
        [ -n "$systemd" ] && [ -n "$gpgme" ] || fail "libsystemd.so.0 or libgpgme.so.11 is not in ld.so's cache"
        # without CMD...: CMD with empty files in the libraries' places, in a mount namespace of its own.
        # shellcheck disable=SC2016 # expanded by the inner sh
        without() {
                unshare -m --propagation private -- \
                        sh -c 'mount --bind /dev/null "$1" && mount --bind /dev/null "$2" && shift 2 && exec "$@"' \
                        sh "$systemd" "$gpgme" "$@"
        }
        run without "$RKT" --dir="$RKT_DATA_DIR" list
        assert_status 0
        run without "$RKT" version
        assert_status 0
        run without timeout 60 "$RKT" --dir="$RKT_DATA_DIR" api-service --listen=127.0.0.1:0
        assert_status 254
        assert_output_contains "cannot load libsystemd.so.0 (install the Debian package 'libsystemd0')"
        run without timeout 60 "$RKT" --dir="$RKT_DATA_DIR" metadata-service --listen-port=18777
        assert_status 254
        assert_output_contains "cannot load libsystemd.so.0 (install the Debian package 'libsystemd0')"
        echo junk >"$RKT_TEST_DIR/key.gpg"
        run without "$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
                --system-config="$RKT_SYSTEM_CONFIG_DIR" trust --prefix=example.com/app --skip-fingerprint-review \
                "$RKT_TEST_DIR/key.gpg"
        assert_status 254
        assert_output_contains "cannot load libgpgme.so.11 (install the Debian package 'libgpgme11')"
        rkt_teardown
}
