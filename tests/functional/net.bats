#!/usr/bin/env bats
# Pod networking: CNI networks (default, default-restricted, net.d), none, port forwarding, DNS files,
# networks in rkt list/status, and teardown that leaves nothing on the host (normal exit, rkt stop, kill -9
# and gc, many times over). Runs in the booted systemd test host, whose private network namespace has
# nothing but lo: "the host" below is the test host, reached by the pods over their veths.

load helpers

setup() {
	rkt_setup
	require_systemd
	require_root
	HOST_PIDS=()
	# A busybox image whose app serves /www on port 80 (declared as "http") unless --exec says otherwise.
	mkdir -p "$RKT_TEST_DIR/bb/bin" "$RKT_TEST_DIR/bb/etc" "$RKT_TEST_DIR/bb/www" "$RKT_TEST_DIR/bb/tmp"
	cp /bin/busybox "$RKT_TEST_DIR/bb/bin/busybox"
	for t in sh sleep cat echo ip wget httpd grep test touch hostname awk wc true false ls timeout; do
		ln -s busybox "$RKT_TEST_DIR/bb/bin/$t"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$RKT_TEST_DIR/bb/etc/passwd"
	echo "root:x:0:" >"$RKT_TEST_DIR/bb/etc/group"
	echo "hello from the pod" >"$RKT_TEST_DIR/bb/www/index.html"
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bb.aci" --name example.com/netbox \
		--label version=1 --dir "$RKT_TEST_DIR/bb" --exec "/bin/httpd -f -p 80 -h /www" --port http:tcp:80
	BB="$RKT_TEST_DIR/bb.aci"
}

teardown() {
	local p u
	for p in "${HOST_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for u in "$RKT_DATA_DIR"/pods/run/*; do
		[ -e "$u/ppid" ] && rkt stop --force "$(basename "$u")" >/dev/null 2>&1
	done
	for p in "$RKT_TEST_DIR"/*.pid; do
		[ -e "$p" ] && wait_for 30 sh -c "! kill -0 $(cat "$p") 2>/dev/null"
	done
	rkt gc --grace-period=0s >/dev/null 2>&1 || true
	ip link del rkttestbr0 2>/dev/null || true
	# A test that changed the host's resolv.conf in place gets it back the same way (the pods bind its inode).
	[ -z "${RESOLV_SAVED:-}" ] || cat "$RESOLV_SAVED" >/etc/resolv.conf
	[ -z "${RESOLVED_MADE:-}" ] || rm -rf /run/systemd/resolve
	rkt_teardown
}

# start_pod NAME RKT_RUN_ARGS... - rkt run in the background, until the pod runs (its network is up then).
start_pod() {
	local name=$1 uuid
	shift
	# rkt itself in the background (not the rkt function: $! would be a shell then), from a subshell: not a
	# job of this shell, which would report its kill -9.
	(
		"$RKT" --dir="$RKT_DATA_DIR" --local-config="$RKT_LOCAL_CONFIG_DIR" \
			--system-config="$RKT_SYSTEM_CONFIG_DIR" --insecure-options=image run \
			--uuid-file-save="$RKT_TEST_DIR/$name.uuid" "$@" >"$RKT_TEST_DIR/$name.out" 2>&1 3>&- &
		echo $! >"$RKT_TEST_DIR/$name.pid"
	)
	wait_for 30 test -s "$RKT_TEST_DIR/$name.uuid" || fail "pod $name: no uuid: $(cat "$RKT_TEST_DIR/$name.out")"
	uuid=$(cat "$RKT_TEST_DIR/$name.uuid")
	wait_for 30 test -s "$RKT_DATA_DIR/pods/run/$uuid/ppid" ||
		fail "pod $name did not start: $(cat "$RKT_TEST_DIR/$name.out")"
}

pod_uuid() { cat "$RKT_TEST_DIR/$1.uuid"; }

# wait_ready NAME - until the pod's systemd has started its apps (a stop before that is not seen by it).
wait_ready() {
	wait_for 30 test -L "$RKT_DATA_DIR/pods/run/$(pod_uuid "$1")/stage1/rootfs/rkt/supervisor-status" ||
		fail "pod $1 did not become ready: $(cat "$RKT_TEST_DIR/$1.out")"
}

# pod_ip NAME [INDEX] - the pod's address on its INDEXth network, as rkt status --format=json reports it.
pod_ip() { rkt status --format=json "$(pod_uuid "$1")" | jq -r ".networks[${2:-0}].ip"; }

# app_file NAME PATH - a file of the running pod's app, seen from the host.
app_file() { echo "$RKT_DATA_DIR/pods/run/$(pod_uuid "$1")/stage1/rootfs/opt/stage2/netbox/rootfs$2"; }

# wait_pod NAME - waits until the rkt run of the pod has returned.
wait_pod() { wait_for 30 sh -c "! kill -0 $(cat "$RKT_TEST_DIR/$1.pid") 2>/dev/null"; }

# kill_pod NAME - kill -9 of the pod's process, rkt run (which became stage1's init, nspawn's parent), once
# the pod is up; nspawn then powers the pod off, and nobody is left to tear the network down but gc. Until
# rkt sees the pod exited and machined has forgotten it.
kill_pod() {
	local uuid
	uuid=$(pod_uuid "$1")
	wait_ready "$1"
	kill -9 "$(cat "$RKT_TEST_DIR/$1.pid")"
	wait_for 30 pod_exited "$uuid" || fail "pod $1 still running after kill -9: $(rkt status "$uuid")"
	wait_for 30 sh -c "! machinectl list --no-legend | grep -q rkt-$uuid" || fail "machine rkt-$uuid is still there"
}

pod_exited() { rkt status "$1" 2>/dev/null | grep -q '^state=exited'; }

# http_get URL - the body, from the host, within a few seconds.
http_get() { curl -sS --max-time 3 "$1"; }

# serve_on_host PORT - a web server on the test host (every address), answering "hello from the host".
serve_on_host() {
	mkdir -p "$RKT_TEST_DIR/hostwww"
	echo "hello from the host" >"$RKT_TEST_DIR/hostwww/index.html"
	busybox httpd -f -p "$1" -h "$RKT_TEST_DIR/hostwww" 3>&- &
	HOST_PIDS+=($!)
	wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$1/"
}

# net_state - what pods may leave behind on the host: links, network namespaces (and their mounts),
# iptables rules (filter and nat), CNI IPAM leases.
net_state() {
	ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print "link " $2 }' | sort
	ip netns list | sed 's/^/netns /' | sort
	findmnt -rn -o TARGET | grep '^/run/netns/' | sed 's/^/mount /' | sort
	iptables -S | sed 's/^/filter /'
	iptables -t nat -S | sed 's/^/nat /'
	find /var/lib/cni -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null | sed 's/^/lease /' | sort
}

assert_same_state() {
	local now
	now=$(net_state)
	[ "$now" = "$1" ] || fail "the host is not as before ($2): $(diff <(echo "$1") <(echo "$now"))"
}

@test "net: the default network gives the pod eth0 on 172.16.28.0/24 with a default route; list and status show it" {
	start_pod a "$BB" --exec /bin/sh -- -c 'ip -o -4 addr show eth0 >/tmp/addr; ip route >/tmp/route; touch /tmp/ready; exec sleep 300'
	wait_for 20 test -e "$(app_file a /tmp/ready)"
	ip=$(pod_ip a)
	[[ $ip =~ ^172\.16\.28\.[0-9]+$ ]] || fail "status ip: $ip"
	grep -q "inet $ip/24" "$(app_file a /tmp/addr)" || fail "eth0: $(cat "$(app_file a /tmp/addr)")"
	grep -q '^default via 172.16.28.1 dev eth0' "$(app_file a /tmp/route)" || fail "routes: $(cat "$(app_file a /tmp/route)")"
	uuid=$(pod_uuid a)
	run rkt status --format=json "$uuid"
	assert_status 0
	[ "$(echo "$output" | jq -r '.networks[0].netName')" = default ]
	[ "$(echo "$output" | jq -r '.networks[0].ifName')" = eth0 ]
	[ "$(echo "$output" | jq -r '.networks[0].mask')" = 255.255.255.0 ]
	[ "$(echo "$output" | jq -r '.networks | length')" = 1 ]
	run rkt status "$uuid"
	assert_output_contains "networks=default:ip4=$ip"
	run rkt list --no-legend
	assert_output_contains "default:ip4=$ip"
	# The network namespace nspawn joined is the one stage1 made and recorded.
	[ "$(cat "$RKT_DATA_DIR/pods/run/$uuid/netns")" = "/run/netns/rkt-$uuid" ]
	ip netns list | grep -q "^rkt-$uuid" || fail "netns: $(ip netns list)"
	rkt stop "$uuid"
	wait_pod a
}

@test "net: two pods on the default network reach each other by IP" {
	start_pod server "$BB"
	ip=$(pod_ip server)
	wait_for 10 http_get "http://$ip/" || fail "the server pod does not answer the host at $ip"
	run rkt --insecure-options=image run "$BB" --exec /bin/sh -- -c \
		"timeout 5 wget -q -O /tmp/got http://$ip/ && grep -q 'hello from the pod' /tmp/got"
	assert_status 0
}

@test "net: a pod reaches a server on the host over its network" {
	serve_on_host 18080
	run rkt --insecure-options=image run "$BB" --exec /bin/sh -- -c \
		'gw=$(ip route | awk "/^default/ { print \$3 }"); timeout 5 wget -q -O /tmp/got "http://$gw:18080/" && grep -q "hello from the host" /tmp/got'
	assert_status 0
}

@test "net: default-restricted reaches the host but nothing beyond it" {
	serve_on_host 18080
	start_pod other "$BB"
	other=$(pod_ip other)
	wait_for 10 http_get "http://$other/"
	run rkt --insecure-options=image run --net=default-restricted "$BB" --exec /bin/sh -- -c "
		ip -o -4 addr show eth0 | grep -q 'inet 172\.31\.' || exit 10
		ip route | grep -q '^default' && exit 11
		timeout 5 wget -q -O /tmp/got http://172.31.0.1:18080/ || exit 12
		timeout 3 wget -q -O /tmp/no http://$other/ 2>/tmp/err && exit 13
		exit 0"
	assert_status 0
}

@test "net: --net=none has only lo, up" {
	run rkt --insecure-options=image run --net=none "$BB" --exec /bin/sh -- -c \
		'test "$(ip -o link | wc -l)" = 1 && ip -o link | grep -q "^1: lo:.*UP"'
	assert_status 0
	run rkt --insecure-options=image run --net=none --port=http:18081 "$BB"
	assert_status 254
	assert_output_contains "--port flag does not work with 'none' networking"
}

@test "net: a bridge network from the local net.d, with CNI_ARGS, next to the default one" {
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/net.d"
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/10-bridge.conf" <<-'EOF'
		{
			"cniVersion": "0.4.0",
			"name": "br-test",
			"type": "bridge",
			"bridge": "rkttestbr0",
			"isGateway": true,
			"ipMasq": true,
			"ipam": { "type": "host-local", "subnet": "10.99.0.0/24", "routes": [ { "dst": "10.98.0.0/16" } ] }
		}
	EOF
	start_pod br --net=br-test:IP=10.99.0.42,default "$BB" --exec /bin/sh -- -c \
		'ip -o -4 addr >/tmp/addr; touch /tmp/ready; exec httpd -f -p 80 -h /www'
	wait_for 20 test -e "$(app_file br /tmp/ready)"
	# Interfaces in the order of the files' names: 10-bridge.conf before the built-in 99-default.conf.
	grep -q 'eth0 *inet 10.99.0.42/24' "$(app_file br /tmp/addr)" || fail "$(cat "$(app_file br /tmp/addr)")"
	grep -q 'eth1 *inet 172.16.28.' "$(app_file br /tmp/addr)" || fail "$(cat "$(app_file br /tmp/addr)")"
	[ "$(pod_ip br 0)" = 10.99.0.42 ]
	run rkt status --format=json "$(pod_uuid br)"
	[ "$(echo "$output" | jq -r '.networks[0].netName + " " + .networks[0].args')" = "br-test IP=10.99.0.42" ]
	[ "$(echo "$output" | jq -r '.networks[1].netName')" = default ]
	ip link show rkttestbr0 >/dev/null
	wait_for 10 http_get http://10.99.0.42/ || fail "the pod does not answer on the bridge"
	rkt stop "$(pod_uuid br)"
	wait_pod br
	# The pod's side is gone; the bridge itself is the network's, as CNI's bridge plugin leaves it.
	[ -z "$(ip -o link show master rkttestbr0)" ] || fail "ports left on the bridge: $(ip -o link show master rkttestbr0)"
	[ ! -e /var/lib/cni/networks/br-test/10.99.0.42 ]
}

@test "net: a plugin gets the net.d file as it is and rkt 1.30's CNI environment, at run and again at gc" {
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/net.d"
	# A plugin beside the configurations (looked for there first, as rkt 1.30 did) that records what it
	# gets and hands it to the host's ptp.
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/logptp" <<-EOF
		#!/bin/sh
		env | grep '^CNI_' | sort >"$RKT_TEST_DIR/env.\$CNI_COMMAND"
		tee "$RKT_TEST_DIR/stdin.\$CNI_COMMAND" | /usr/lib/cni/ptp
	EOF
	chmod +x "$RKT_LOCAL_CONFIG_DIR/net.d/logptp"
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/30-logged.conf" <<-'EOF'
		{"cniVersion": "0.4.0", "name": "logged", "type": "logptp",
		 "ipam": {"type": "host-local", "subnet": "10.82.0.0/24"}}
	EOF
	run rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/logged.uuid" --net=logged:X_MINE=1 "$BB" \
		--exec /bin/true
	assert_status 0
	uuid=$(cat "$RKT_TEST_DIR/logged.uuid")
	cmp "$RKT_LOCAL_CONFIG_DIR/net.d/30-logged.conf" "$RKT_TEST_DIR/stdin.ADD" || fail "the plugin got another stdin"
	run cat "$RKT_TEST_DIR/env.ADD"
	assert_output_contains "CNI_VERSION=0.1.0"
	assert_output_contains "CNI_COMMAND=ADD"
	assert_output_contains "CNI_CONTAINERID=$uuid"
	assert_output_contains "CNI_NETNS=/run/netns/rkt-$uuid"
	assert_output_contains "CNI_IFNAME=eth0"
	assert_output_contains "CNI_ARGS=IgnoreUnknown=1;X_MINE=1"
	assert_output_contains "CNI_PATH=$RKT_LOCAL_CONFIG_DIR/net.d:/usr/lib/rkt/plugins/net:/usr/lib/cni:/opt/cni/bin"
	grep -q CNI_COMMAND=DEL "$RKT_TEST_DIR/env.DEL" || fail "no DEL when the pod exited"
	rm "$RKT_TEST_DIR/env.DEL"
	run rkt gc --grace-period=0s
	assert_status 0
	run cat "$RKT_TEST_DIR/env.DEL"
	assert_output_contains "CNI_COMMAND=DEL"
	assert_output_contains "CNI_CONTAINERID=$uuid"
	assert_output_contains "CNI_ARGS=IgnoreUnknown=1;X_MINE=1"
	cmp "$RKT_LOCAL_CONFIG_DIR/net.d/30-logged.conf" "$RKT_TEST_DIR/stdin.DEL" || fail "DEL got another stdin"
}

@test "net: a flannel network without a flannel plugin: stage1 delegates to bridge from flanneld's subnet file" {
	[ ! -e /usr/lib/cni/flannel ] || skip "the host has a flannel plugin"
	before=$(net_state)
	printf 'FLANNEL_NETWORK=10.97.0.0/16\nFLANNEL_SUBNET=10.97.5.1/24\nFLANNEL_MTU=1400\nFLANNEL_IPMASQ=true\n' \
		>"$RKT_TEST_DIR/subnet.env"
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/net.d"
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/10-flannel.conf" <<-EOF
		{ "name": "rkt.kubernetes.io", "type": "flannel", "subnetFile": "$RKT_TEST_DIR/subnet.env",
		  "Delegate": { "bridge": "rkttestbr0", "isDefaultGateway": true } }
	EOF
	run rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/fl.uuid" --net=rkt.kubernetes.io "$BB" \
		--exec /bin/sh -- -c 'ip -o -4 addr show eth0; ip route; ip -o link show eth0'
	assert_status 0
	assert_output_contains "inet 10.97.5."
	assert_output_contains "default via 10.97.5.1 dev eth0"
	assert_output_contains "10.97.0.0/16 via 10.97.5.1 dev eth0"
	assert_output_contains "mtu 1400"
	[ "$(rkt status --format=json "$(cat "$RKT_TEST_DIR/fl.uuid")" | jq -r '.networks[0].netName')" = rkt.kubernetes.io ]
	ip link del rkttestbr0
	assert_same_state "$before" "after the pod exited"
	# A subnet file without a field is refused, naming it.
	echo 'FLANNEL_NETWORK=10.97.0.0/16' >"$RKT_TEST_DIR/subnet.env"
	run rkt --insecure-options=image run --net=rkt.kubernetes.io "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "$RKT_TEST_DIR/subnet.env is missing FLANNEL_SUBNET, FLANNEL_MTU, FLANNEL_IPMASQ"
	assert_same_state "$before" "after the refused pod"
}

@test "net: net.d overrides the built-in default network; bad configurations and names are refused" {
	mkdir -p "$RKT_SYSTEM_CONFIG_DIR/net.d" "$RKT_LOCAL_CONFIG_DIR/net.d"
	cat >"$RKT_SYSTEM_CONFIG_DIR/net.d/50-default.conf" <<-'EOF'
		{"cniVersion": "0.4.0", "name": "default", "type": "ptp", "ipMasq": true,
		 "ipam": {"type": "host-local", "subnet": "10.77.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}}
	EOF
	run rkt --insecure-options=image run "$BB" --exec /bin/sh -- -c 'ip -o -4 addr show eth0 | grep -q "inet 10\.77\.0\."'
	assert_status 0
	# The local config dir wins over the system one.
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/50-default.conf" <<-'EOF'
		{"cniVersion": "0.4.0", "name": "default", "type": "ptp", "ipMasq": true,
		 "ipam": {"type": "host-local", "subnet": "10.78.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}}
	EOF
	run rkt --insecure-options=image run "$BB" --exec /bin/sh -- -c 'ip -o -4 addr show eth0 | grep -q "inet 10\.78\.0\."'
	assert_status 0

	run rkt --insecure-options=image run --net=nosuchnet "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "stage1: failed to setup network: "
	assert_output_contains "networks not found: nosuchnet"
	echo '{"name": "broken", "ipam": {}}' >"$RKT_LOCAL_CONFIG_DIR/net.d/20-broken.conf"
	run rkt --insecure-options=image run "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "20-broken.conf': field 'type': missing"
	rm "$RKT_LOCAL_CONFIG_DIR/net.d/20-broken.conf"
	echo '{"name": "noplugin", "type": "no-such-plugin"}' >"$RKT_LOCAL_CONFIG_DIR/net.d/20-noplugin.conf"
	run rkt --insecure-options=image run --net=noplugin "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "plugin 'no-such-plugin' not found"
	run rkt --insecure-options=image run --net=host,default "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "--net=host cannot be combined"
}

@test "net: paths.d net-plugins replaces the plugin directories (ADD and DEL, after kill -9 too); bad files are refused" {
	mkdir -p "$RKT_TEST_DIR/cni" "$RKT_LOCAL_CONFIG_DIR/net.d" "$RKT_LOCAL_CONFIG_DIR/paths.d"
	cp /usr/lib/cni/ptp "$RKT_TEST_DIR/cni/myptp"
	cp /usr/lib/cni/host-local "$RKT_TEST_DIR/cni/myipam"
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/40-mine.conf" <<-'EOF'
		{"cniVersion": "0.4.0", "name": "mine", "type": "myptp", "ipMasq": true,
		 "ipam": {"type": "myipam", "subnet": "10.81.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}}
	EOF
	leases() { find /var/lib/cni/networks/mine -type f ! -name lock ! -name 'last_reserved_ip*' 2>/dev/null; }
	run rkt --insecure-options=image run --net=mine "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "plugin 'myptp' not found"

	echo "{\"rktKind\": \"paths\", \"rktVersion\": \"v1\", \"net-plugins\": [\"$RKT_TEST_DIR/cni\"]}" \
		>"$RKT_LOCAL_CONFIG_DIR/paths.d/cni.json"
	run rkt --insecure-options=image run --net=mine "$BB" --exec /bin/sh -- -c 'ip -o -4 addr show eth0 | grep -q "inet 10\.81\.0\."'
	assert_status 0
	[ -z "$(leases)" ] || fail "leases left after the pod exited: $(leases)"
	before=$(net_state)
	start_pod mine --net=mine "$BB"
	kill_pod mine
	run rkt gc --grace-period=0s
	assert_status 0
	assert_same_state "$before" "after kill -9 and gc of a pod whose plugins live in a paths.d directory"

	# The configured directories replace rkt's: the default network's ptp is not among them.
	run rkt --insecure-options=image run "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "plugin 'ptp' not found in $RKT_LOCAL_CONFIG_DIR/net.d:$RKT_TEST_DIR/cni"

	echo '{"rktKind": "paths", "rktVersion": "v1", "net-plugins": ["relative/dir"]}' >"$RKT_LOCAL_CONFIG_DIR/paths.d/cni.json"
	run rkt --insecure-options=image run "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "paths.d/cni.json': field 'net-plugins': 'relative/dir' is not an absolute path"
	[ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
}

@test "net: a forwarded port answers from the host, from localhost and from another pod" {
	start_pod web --port=http:18081 "$BB"
	ip=$(pod_ip web)
	wait_for 10 http_get "http://$ip/" || fail "no answer from the pod itself"
	run http_get http://127.0.0.1:18081/
	assert_status 0
	assert_output_contains "hello from the pod"
	# The host's address on the pod's network (its side of the veth), and from another pod: PREROUTING.
	run http_get http://172.16.28.1:18081/
	assert_output_contains "hello from the pod"
	run rkt --insecure-options=image run "$BB" --exec /bin/sh -- -c \
		'timeout 5 wget -q -O /tmp/got http://172.16.28.1:18081/ && grep -q "hello from the pod" /tmp/got'
	assert_status 0
	uuid=$(pod_uuid web)
	iptables -t nat -S | grep -q "RKT-PFWD-DNAT-$(echo "${uuid//-/}" | cut -c1-12) .*--dport 18081 .*--to-destination $ip:80" ||
		fail "no DNAT rule: $(iptables -t nat -S)"
	rkt stop "$uuid"
	wait_pod web
	[ -z "$(iptables -t nat -S | grep RKT-PFWD)" ] || fail "rules left: $(iptables -t nat -S)"
	run curl -s --max-time 2 http://127.0.0.1:18081/
	[ "$status" -ne 0 ]

	# Ports the image does not declare, and ports with host networking, are refused.
	run rkt --insecure-options=image run --port=nope:18082 "$BB"
	assert_status 254
	assert_output_contains "no app of the pod declares a port named 'nope'"
	run rkt --insecure-options=image run --net=host --port=http:18082 "$BB"
	assert_status 254
	assert_output_contains "--port flag does not work with 'host' networking"
	run rkt --insecure-options=image run --port=http:99999 "$BB"
	assert_status 254
	# IPv6 host addresses (in brackets, as rkt 1.30 took them): refused, forwarding is IPv4 only.
	run rkt --insecure-options=image run --port='http:[::1]:18082' "$BB"
	assert_status 254
	assert_output_contains "--port 'http:[::1]:18082': IPv6 host address '::1' is not supported: ports are forwarded over IPv4 only"
	[ "${#lines[@]}" -eq 1 ] || fail "more than one line: $output"
}

@test "net: DNS flags and hosts entries land in the pod's /etc/resolv.conf and /etc/hosts" {
	run rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/dns.uuid" --dns=10.0.0.53,10.0.0.54 \
		--dns-search=a.example --dns-search=b.example --dns-opt=ndots:3 --dns-domain=example.org \
		--hosts-entry=10.0.0.7=db.example --hosts-entry=10.0.0.8=cache,10.0.0.7=db \
		"$BB" --exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv; cat /etc/hosts >/tmp/hosts'
	assert_status 0
	resolv=$(cat "$(app_file dns /tmp/resolv)")
	expected='# Generated by rkt run

search a.example b.example
nameserver 10.0.0.53
nameserver 10.0.0.54
options ndots:3
domain example.org'
	[ "$resolv" = "$expected" ] || fail "resolv.conf: $resolv"
	hosts=$(cat "$(app_file dns /tmp/hosts)")
	[[ $hosts == *$'\n10.0.0.7 db.example db\n'* ]] || fail "hosts: $hosts"
	[[ $hosts == *$'\n10.0.0.8 cache'* ]] || fail "hosts: $hosts"
	[[ $hosts == *"127.0.0.1 localhost"*"rkt-$(pod_uuid dns)"* ]] || fail "hosts: $hosts"

	# Without flags: the image has no /etc/hosts, so it gets rkt's, with the pod's name.
	run rkt --insecure-options=image run --net=none --hostname=podname "$BB" --exec /bin/sh -- -c \
		'grep -q "^127.0.0.1 .*podname" /etc/hosts && test "$(hostname)" = podname'
	assert_status 0

	# The host's files.
	run rkt --insecure-options=image run --hosts-entry=host --uuid-file-save="$RKT_TEST_DIR/h.uuid" "$BB" \
		--exec /bin/sh -- -c 'cat /etc/hosts >/tmp/hosts'
	assert_status 0
	[ "$(cat "$(app_file h /tmp/hosts)")" = "$(cat /etc/hosts)" ]

	run rkt --insecure-options=image run --dns=host --dns-search=x "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "cannot be used with --dns=host"
	run rkt --insecure-options=image run --dns=not-an-ip "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "invalid IP address 'not-an-ip'"
	run rkt --insecure-options=image run --hosts-entry=10.0.0.1 "$BB" --exec /bin/true
	assert_status 254
}

# bb_with_resolv - $RKT_TEST_DIR/bbdns.aci: the busybox image with a resolv.conf of its own.
bb_with_resolv() {
	cp -a "$RKT_TEST_DIR/bb" "$RKT_TEST_DIR/bbdns"
	echo "nameserver 192.0.2.99 # the image's" >"$RKT_TEST_DIR/bbdns/etc/resolv.conf"
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bbdns.aci" --name example.com/netbox \
		--label version=dns --dir "$RKT_TEST_DIR/bbdns" --exec /bin/true
}

@test "net: resolv.conf is the host's by default and with --dns=host (bound read-only, live), the image's with --dns=none" {
	[ -f /etc/resolv.conf ] || echo "nameserver 10.255.255.53" >/etc/resolv.conf
	RESOLV_SAVED=$RKT_TEST_DIR/resolv.saved
	cp /etc/resolv.conf "$RESOLV_SAVED"
	bb_with_resolv
	for net in default none host; do
		run rkt --insecure-options=image run --net=$net --uuid-file-save="$RKT_TEST_DIR/d-$net.uuid" \
			"$RKT_TEST_DIR/bbdns.aci" --exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
		assert_status 0
		[ "$(cat "$(app_file "d-$net" /tmp/resolv)")" = "$(cat /etc/resolv.conf)" ] ||
			fail "--net=$net: not the host's resolv.conf: $(cat "$(app_file "d-$net" /tmp/resolv)")"
	done
	run rkt --insecure-options=image run --dns=none --uuid-file-save="$RKT_TEST_DIR/none.uuid" \
		"$RKT_TEST_DIR/bbdns.aci" --exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
	assert_status 0
	[ "$(cat "$(app_file none /tmp/resolv)")" = "nameserver 192.0.2.99 # the image's" ]

	# --dns=host: a read-only bind mount of the host's file, so a change on the host shows in the pod.
	start_pod live --dns=host "$RKT_TEST_DIR/bbdns.aci" --exec /bin/sh -- -c '
		grep " /etc/resolv.conf " /proc/self/mountinfo >/tmp/mounts
		echo x 2>/dev/null >>/etc/resolv.conf && touch /tmp/writable
		while :; do cat /etc/resolv.conf >/tmp/resolv.new; mv /tmp/resolv.new /tmp/resolv; sleep 0.2; done'
	wait_for 20 test -s "$(app_file live /tmp/resolv)" || fail "the pod did not start: $(cat "$RKT_TEST_DIR/live.out")"
	grep -q ' /etc/resolv.conf ro[, ]' "$(app_file live /tmp/mounts)" || fail "mounts: $(cat "$(app_file live /tmp/mounts)")"
	[ ! -e "$(app_file live /tmp/writable)" ] || fail "the pod could write to the host's resolv.conf"
	echo "search changed-on-the-host.example" >>/etc/resolv.conf
	wait_for 10 grep -q changed-on-the-host.example "$(app_file live /tmp/resolv)" ||
		fail "the host's change did not show in the pod: $(cat "$(app_file live /tmp/resolv)")"
	rkt stop "$(pod_uuid live)"
	wait_pod live

	# Without a resolv.conf on the host, --dns=host is an error; by default the image keeps its own.
	mv /etc/resolv.conf "$RKT_TEST_DIR/resolv.moved"
	run rkt --insecure-options=image run --dns=host "$RKT_TEST_DIR/bbdns.aci"
	status_host=$status output_host=$output
	run rkt --insecure-options=image run --uuid-file-save="$RKT_TEST_DIR/nohost.uuid" "$RKT_TEST_DIR/bbdns.aci" \
		--exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
	mv "$RKT_TEST_DIR/resolv.moved" /etc/resolv.conf
	assert_status 0
	[ "$(cat "$(app_file nohost /tmp/resolv)")" = "nameserver 192.0.2.99 # the image's" ]
	[ "$status_host" = 254 ] || fail "--dns=host without a host file: $status_host $output_host"
	[[ $output_host == *"--dns=host: the host has no /etc/resolv.conf"* ]] || fail "$output_host"
}

@test "net: behind systemd-resolved's stub, pods on a network of their own get resolved's servers; host pods the stub" {
	[ ! -e /run/systemd/resolve/resolv.conf ] || fail "the test host runs systemd-resolved: this test plays it"
	RESOLV_SAVED=$RKT_TEST_DIR/resolv.saved
	cp /etc/resolv.conf "$RESOLV_SAVED"
	RESOLVED_MADE=1
	mkdir -p /run/systemd/resolve
	printf 'nameserver 10.9.8.7\nsearch uplink.example\n' >/run/systemd/resolve/resolv.conf
	printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\n' >/etc/resolv.conf
	for net in default host; do
		run rkt --insecure-options=image run --net=$net --uuid-file-save="$RKT_TEST_DIR/stub-$net.uuid" "$BB" \
			--exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
		assert_status 0
	done
	[ "$(cat "$(app_file stub-default /tmp/resolv)")" = "$(cat /run/systemd/resolve/resolv.conf)" ] ||
		fail "--net=default: $(cat "$(app_file stub-default /tmp/resolv)")"
	[ "$(cat "$(app_file stub-host /tmp/resolv)")" = "$(cat /etc/resolv.conf)" ] ||
		fail "--net=host: $(cat "$(app_file stub-host /tmp/resolv)")"
}

@test "net: DNS a network's plugin returns makes the pod's resolv.conf, unless --dns=none or --dns flags" {
	mkdir -p "$RKT_LOCAL_CONFIG_DIR/net.d"
	cat >"$RKT_LOCAL_CONFIG_DIR/net.d/30-dnsnet.conf" <<-'EOF'
		{"cniVersion": "0.4.0", "name": "dnsnet", "type": "ptp", "ipMasq": true,
		 "dns": {"nameservers": ["10.0.0.99"], "search": ["cni.example"]},
		 "ipam": {"type": "host-local", "subnet": "10.79.0.0/24", "routes": [{"dst": "0.0.0.0/0"}]}}
	EOF
	bb_with_resolv
	run rkt --insecure-options=image run --net=dnsnet --uuid-file-save="$RKT_TEST_DIR/cni.uuid" \
		"$RKT_TEST_DIR/bbdns.aci" --exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
	assert_status 0
	resolv=$(cat "$(app_file cni /tmp/resolv)")
	expected='# Generated by rkt from network dnsnet

search cni.example
nameserver 10.0.0.99'
	[ "$resolv" = "$expected" ] || fail "resolv.conf: $resolv"
	run rkt --insecure-options=image run --net=dnsnet --dns=none --uuid-file-save="$RKT_TEST_DIR/cninone.uuid" \
		"$RKT_TEST_DIR/bbdns.aci" --exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
	assert_status 0
	[ "$(cat "$(app_file cninone /tmp/resolv)")" = "nameserver 192.0.2.99 # the image's" ]
	run rkt --insecure-options=image run --net=dnsnet --dns=10.0.0.1 --uuid-file-save="$RKT_TEST_DIR/cniflags.uuid" \
		"$RKT_TEST_DIR/bbdns.aci" --exec /bin/sh -- -c 'cat /etc/resolv.conf >/tmp/resolv'
	assert_status 0
	grep -qx 'nameserver 10.0.0.1' "$(app_file cniflags /tmp/resolv)"
	! grep -q 10.0.0.99 "$(app_file cniflags /tmp/resolv)" || fail "the network's DNS server is in resolv.conf with --dns"
}

@test "net: a port range the image declares is forwarded whole, each host port to its pod port" {
	cp -a "$RKT_TEST_DIR/bb" "$RKT_TEST_DIR/bbrange"
	for i in 0 1 2; do
		mkdir -p "$RKT_TEST_DIR/bbrange/www$i"
		echo "port 800$i" >"$RKT_TEST_DIR/bbrange/www$i/index.html"
	done
	python3 "$RKT_SRCDIR/tests/helpers/mkaci.py" "$RKT_TEST_DIR/bbrange.aci" --name example.com/netbox \
		--label version=range --dir "$RKT_TEST_DIR/bbrange" --port range:tcp:8000:3 \
		--exec "/bin/sh -c 'for i in 0 1 2; do httpd -p 800\$i -h /www\$i; done; exec sleep 300'"
	start_pod rng --port=range:18090 "$RKT_TEST_DIR/bbrange.aci"
	ip=$(pod_ip rng)
	wait_for 10 http_get "http://$ip:8002/" || fail "no answer from the pod itself"
	for i in 0 1 2; do
		run http_get "http://127.0.0.1:1809$i/"
		assert_status 0
		[ "$output" = "port 800$i" ] || fail "host port 1809$i: $output"
		run http_get "http://172.16.28.1:1809$i/"
		[ "$output" = "port 800$i" ] || fail "host port 1809$i on 172.16.28.1: $output"
	done
	uuid=$(pod_uuid rng)
	rkt stop "$uuid"
	wait_pod rng
	[ -z "$(iptables -t nat -S | grep RKT-PFWD)" ] || fail "rules left: $(iptables -t nat -S)"

	# The range must fit below 65536 on the host.
	run rkt --insecure-options=image run --port=range:65534 "$RKT_TEST_DIR/bbrange.aci"
	assert_status 254
	assert_output_contains "3 port(s) from host port 65534 to pod port 8000 go beyond 65535"
}

@test "net: teardown leaves nothing after a normal exit, after rkt stop, and after kill -9 and gc" {
	before=$(net_state)

	run rkt --insecure-options=image run --port=http:18083 "$BB" --exec /bin/true
	assert_status 0
	assert_same_state "$before" "after the pod exited"

	start_pod stopped --port=http:18083 "$BB"
	wait_ready stopped
	run rkt stop "$(pod_uuid stopped)"
	assert_status 0
	wait_pod stopped || fail "rkt run did not return after rkt stop: $(cat "$RKT_TEST_DIR/stopped.out")"
	assert_same_state "$before" "after rkt stop"

	# kill -9 of nspawn: stage1 sees its pod end and tears its network down.
	start_pod nspawnkilled --port=http:18083 "$BB"
	wait_ready nspawnkilled
	kill -9 "$(cat "$RKT_DATA_DIR/pods/run/$(pod_uuid nspawnkilled)/ppid")"
	wait_pod nspawnkilled
	assert_same_state "$before" "after kill -9 of nspawn"

	# kill -9 of rkt run: what is left is gc's.
	start_pod killed --port=http:18083 "$BB"
	uuid=$(pod_uuid killed)
	kill_pod killed
	ip netns list | grep -q "^rkt-$uuid" || fail "the network namespace is gone before gc: $(ip netns list)"
	run rkt gc --grace-period=0s
	assert_status 0
	assert_output_contains "Garbage collecting pod \"$uuid\""
	assert_same_state "$before" "after kill -9 and rkt gc"
	# gc again: nothing to do, no error.
	run rkt gc --grace-period=0s
	assert_status 0
}

@test "net: an address another pod holds (IP=) is refused in rkt 1.30's words, before anything is made" {
	start_pod first "$BB"
	wait_ready first
	ip=$(pod_ip first)
	before=$(net_state)
	run rkt --insecure-options=image run --net="default:IP=$ip" "$BB" --exec /bin/true
	assert_status 254
	assert_output_contains "requested IP address \"$ip\" is not available in network: default"
	assert_same_state "$before" "after the refused pod"
	# A free address is given as requested.
	run rkt --insecure-options=image run --net=default:IP=172.16.28.250 "$BB" --exec /bin/sh -- -c \
		'ip -o -4 addr show eth0'
	assert_status 0
	assert_output_contains "inet 172.16.28.250/24"
}

@test "net: gc runs CNI DEL again for each network of an exited pod (rkt gc --debug shows it)" {
	before=$(net_state)
	start_pod leftover --net=default:IP=172.16.28.251 "$BB"
	wait_ready leftover
	uuid=$(pod_uuid leftover)
	lease=/var/lib/cni/networks/default/172.16.28.251
	[ -s "$lease" ] || fail "no host-local reservation at $lease"
	cp "$lease" "$RKT_TEST_DIR/lease"
	rkt stop "$(pod_uuid leftover)"
	wait_pod leftover
	assert_same_state "$before" "after rkt stop"
	# What a DEL that failed half-way would leave: the reservation. gc's DEL releases it.
	cp "$RKT_TEST_DIR/lease" "$lease"
	run rkt gc --debug --grace-period=0s
	assert_status 0
	assert_output_contains "Garbage collecting pod \"$uuid\""
	[[ "$(echo "$output" | tail -n 1)" == *"executing net-plugin /usr/lib/cni/ptp DEL eth0"* ]] ||
		fail "the last line is not the plugin's DEL: $output"
	[ ! -e "$lease" ] || fail "gc left the reservation $lease"
	assert_same_state "$before" "after rkt gc"
}

@test "net: no leak after 20 start / kill -9 / gc cycles" {
	# A leak (an address, a rule, a namespace, a veth, a mount) grows with every cycle: twenty show it as
	# surely as more would.
	before=$(net_state)
	start=$(date +%s.%N)
	for i in $(seq 20); do
		start_pod "c$i" --port=http:18084 "$BB" --exec /bin/sleep -- 300
		kill_pod "c$i"
		rkt gc --grace-period=0s >/dev/null
	done
	elapsed=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $start }")
	echo "# 20 start/kill -9/gc cycles with CNI networking and port forwarding: ${elapsed}s" >&3
	assert_same_state "$before" "after 20 cycles"
	[ -z "$(find "$RKT_DATA_DIR/pods" -mindepth 2 -maxdepth 2)" ] || fail "pods left: $(ls -R "$RKT_DATA_DIR/pods")"
}
