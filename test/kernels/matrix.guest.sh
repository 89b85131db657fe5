# matrix.guest.sh CELL...: the guest side of matrix.sh (busybox sh, as root).
#
# A CELL is MODE:PLAN. For PLAN fentry, kprobe or tracepoint it runs
# test/integration/test_MODE.sh with run.sh and TT_ATTACH=PLAN (every tracer
# a test starts gets --attach=PLAN); for PLAN auto it runs test_guest.sh for
# MODE, without TT_ATTACH. The tests are at /tests, the tools they use
# (bash, ip, jq...) in /bin. Each cell's output is framed by
#   @@matrix start MODE PLAN
#   @@matrix end MODE PLAN STATUS SECONDS      (STATUS: run.sh's exit code)
# run.sh ends a test that runs longer than $TT_TEST_TIMEOUT seconds (hung:
# it fails, its processes are ended, the next test runs), so one hung test
# costs one test; run-guest.sh --idle ends a guest that prints nothing at all.
set -u

# bash's process substitution needs /dev/fd; devtmpfs has no such link.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd

export TT=/bin/tcptrace PEER=/bin/ttpeer BUILD=/bin CI=true
TT_GUEST=$(uname -r)
export TT_GUEST TT_RESULTS=/tmp/results
echo "@@matrix kernel $TT_GUEST"
status=0
for cell in "$@"; do
	mode=${cell%%:*} plan=${cell#*:}
	if [ "$plan" = auto ]; then
		file=/tests/kernels/test_guest.sh attach=
	else
		file=/tests/integration/test_$mode.sh attach=$plan
	fi
	echo "@@matrix start $mode $plan"
	t0=$(cut -d' ' -f1 /proc/uptime)
	TT_MODE=$mode TT_ATTACH=$attach bash /tests/integration/run.sh "$file"
	rc=$?
	t1=$(cut -d' ' -f1 /proc/uptime)
	echo "@@matrix end $mode $plan $rc $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", b - a }')"
	[ $rc = 0 ] || status=1
done
exit $status
