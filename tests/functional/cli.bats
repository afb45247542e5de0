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
