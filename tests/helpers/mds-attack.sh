#!/bin/sh
# mds-attack.sh OUT - a hostile app against the metadata service, run inside a pod by
# tests/functional/metadata.bats (busybox sh: nc, head, tail, tr, sed). It speaks raw HTTP to the service at
# AC_METADATA_URL (or, in a pod without one, at 127.0.0.1:18112 with no token of its own) and writes one
# line "NAME STATUS" per request to OUT, STATUS "none" when the service closed the connection unanswered;
# each answer is kept in /tmp/resp.NAME. B_UUID and B_SIG name another pod and its signature of "from-b".
set -u
out=$1
url=${AC_METADATA_URL:-http://127.0.0.1:18112/none-registered}
hostport=${url#http://}
tok=${hostport#*/}
hostport=${hostport%%/*}
host=${hostport%:*}
port=${hostport#*:}
: >"$out"

# send NAME - the request on stdin, sent as it is.
send() {
	nc "$host" "$port" >"/tmp/resp.$1" 2>/dev/null
	# shellcheck disable=SC2046 # the status line, split into words
	set -- "$1" $(head -n 1 "/tmp/resp.$1")
	echo "$1 ${3:-none}" >>"$out"
}

get() { # NAME PATH
	printf 'GET %s HTTP/1.1\r\nHost: mds\r\nMetadata-Flavor: AppContainer\r\nConnection: close\r\n\r\n' "$2" |
		send "$1"
}

post() { # NAME PATH FORM
	printf 'POST %s HTTP/1.1\r\nHost: mds\r\nMetadata-Flavor: AppContainer\r\nConnection: close\r\n%s\r\n%s\r\n\r\n%s' \
		"$2" "Content-Type: application/x-www-form-urlencoded" "Content-Length: ${#3}" "$3" | send "$1"
}

enc() { # a base64 signature as a form value
	printf '%s' "$1" | sed 's/+/%2B/g; s|/|%2F|g; s/=/%3D/g'
}

body() { # NAME - the body of that answer (one line, no trailing newline)
	tail -n 1 "/tmp/resp.$1"
}

v1=acMetadata/v1
# Its own data; another pod's through that pod's UUID, no token, a wrong token, a path that climbs.
get own_uuid "/$tok/$v1/pod/uuid"
own=$(body own_uuid)
get b_uuid_as_token "/$B_UUID/$v1/pod/uuid"
get b_manifest_as_token "/$B_UUID/$v1/pod/manifest"
get b_annotations_as_token "/$B_UUID/$v1/pod/annotations"
get no_token "/$v1/pod/manifest"
get wrong_token "/${tok%?}x/$v1/apps/box/image/manifest"
get climb "/$tok/../$B_UUID/$v1/pod/uuid"

# Signatures: its own never verifies as the other pod's, the other's never as its own.
post sign "/$tok/$v1/pod/hmac/sign" "content=from-b"
post sign_as_b "/$B_UUID/$v1/pod/hmac/sign" "content=from-b"
post verify_own_as_b "/$tok/$v1/pod/hmac/verify" "content=from-b&uuid=$B_UUID&signature=$(enc "$(body sign)")"
post verify_b_as_own "/$tok/$v1/pod/hmac/verify" "content=from-b&uuid=$own&signature=$(enc "$B_SIG")"
post verify_b_as_b "/$tok/$v1/pod/hmac/verify" "content=from-b&uuid=$B_UUID&signature=$(enc "$B_SIG")"

# Registration is not on this port, and its socket is not in the pod.
printf 'PUT /pods/%s?token=%s HTTP/1.1\r\nHost: mds\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}' \
	"$B_UUID" "$tok" | send register
printf 'DELETE /pods/%s HTTP/1.1\r\nHost: mds\r\nConnection: close\r\n\r\n' "$B_UUID" | send unregister
printf 'DELETE /%s/pods/%s HTTP/1.1\r\nHost: mds\r\nConnection: close\r\n\r\n' "$tok" "$B_UUID" |
	send unregister_token
if [ -e /run/rkt/metadata-svc.sock ]; then echo "socket present" >>"$out"; else echo "socket absent" >>"$out"; fi

# Oversized and malformed requests.
big=$(head -c 65536 /dev/zero | tr '\0' a)
printf 'GET /%s/%s/pod/uuid HTTP/1.1\r\nHost: mds\r\nX-Big: %s\r\nConnection: close\r\n\r\n' "$tok" "$v1" "$big" |
	send huge_header
{
	printf 'POST /%s/%s/pod/hmac/sign HTTP/1.1\r\nHost: mds\r\nConnection: close\r\n' "$tok" "$v1"
	printf 'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\ncontent=' $((2097152 + 8))
	head -c 2097152 /dev/zero | tr '\0' a
} | send huge_body
printf 'GARBAGE\r\n\r\n' | send garbage
get own_uuid_after "/$tok/$v1/pod/uuid"
