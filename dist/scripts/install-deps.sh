#!/bin/bash
# Installs the Debian 12 packages rkt needs to build, run and test. Idempotent.
set -euo pipefail
packages=(
        # build
        autoconf automake libtool pkg-config make gcc
        libsystemd-dev libarchive-dev libgpgme-dev libcurl4-openssl-dev libjson-c-dev libssl-dev
        libmicrohttpd-dev libseccomp-dev
        # rkt api-service: protobuf-c (and protoc-c for its generated code), nghttp2
        libprotobuf-c-dev protobuf-c-compiler libnghttp2-dev
        # runtime
        systemd-container dbus containernetworking-plugins gnupg iptables iproute2
        # tests: unit (cmocka), functional (bats, jq, python3), test host (debootstrap), appc's actool
        libcmocka-dev bats jq python3 debootstrap golang-go golang-github-appc-spec-dev
        # tests: the gRPC client of tests/functional/api.bats
        python3-grpcio python3-grpc-tools python3-pkg-resources
        zstd xz-utils bzip2 gzip curl ca-certificates bc
        # fuzzing (./configure --enable-fuzzing CC=clang): clang, and libFuzzer with the sanitizer runtimes
        clang libclang-rt-14-dev
        # the Debian package (make deb, tests/dist/): dpkg-buildpackage, debhelper, lintian; man-db to
        # check the generated man pages; zsh to check the generated zsh completion
        dpkg-dev debhelper fakeroot lintian man-db groff-base bash-completion zsh
        # tests: shellcheck over the scripts (make check); the sanitizer, valgrind and clang -Werror jobs
        # of .ci/run (libclang-rt-14-dev: clang's sanitizer runtimes; gcc's come with gcc)
        # (libc6-dbg: valgrind needs the dynamic linker's symbols)
        shellcheck valgrind libc6-dbg clang libclang-rt-14-dev
        # make check-format
        clang-format
)
missing=()
for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
