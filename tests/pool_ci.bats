#!/usr/bin/env bats
# pool for CI logs (issue 13, beyond GNU parallel): --ci-groups wraps each
# job's grouped output in GitHub Actions or GitLab collapsible-section
# markers; --junit FILE writes JUnit XML, one <testcase> per job.

load test_helper
bats_require_minimum_version 1.5.0

# valid_xml FILE: FILE parses as XML; prints tests/failures and each
# testcase's name, time presence and failure message and text.
valid_xml() {
	python3 - "$1" <<'PY'
import sys, xml.dom.minidom
d = xml.dom.minidom.parse(sys.argv[1])
s = d.getElementsByTagName("testsuite")[0]
print("tests=%s failures=%s" % (s.getAttribute("tests"), s.getAttribute("failures")))
for t in d.getElementsByTagName("testcase"):
    f = t.getElementsByTagName("failure")
    line = "case [%s] time=%s" % (t.getAttribute("name"), "yes" if float(t.getAttribute("time")) >= 0 else "no")
    if f:
        txt = "".join(n.data for n in f[0].childNodes)
        line += " failure [%s] [%s]" % (f[0].getAttribute("message"), txt.replace("\n", "|"))
    print(line)
PY
}

JOB='f() { echo "out $1"; echo "err $1" >&2; return $2; }; '

@test "pool --ci-groups github: ::group::/::endgroup:: around each job, stderr inside, failure in the title" {
	run -1 psh "$JOB"'pool -k --ci-groups github --tag f ::: a b :::+ 0 3 2>&1'
	assert_output - <<-'EOF2'
	::group::a 0
	a 0	out a
	a 0	err a
	::endgroup::
	::group::b 3 (failed: exit status 3)
	b 3	out b
	b 3	err b
	::endgroup::
	EOF2
}

@test "pool --ci-groups github: the title is the command without --tag; a job with no output still gets its section" {
	run -0 psh 'pool -k --ci-groups github true ::: "x y"'
	assert_output $'::group::true \'x y\'\n::endgroup::'
	run -1 psh 'pool -j1 --ci-groups github --timeout 0.2 sleep ::: 5'
	assert_output $'::group::sleep 5 (failed: timed out)\n::endgroup::'
	# a newline in the title would end the marker line: a space
	run -0 psh 'pool --ci-groups github --tagstring "a{}" true ::: $'"'"'1\n2'"'"
	assert_output $'::group::a1 2\n::endgroup::'
}

@test "pool --ci-groups gitlab: section_start/section_end, collapsed unless the job failed" {
	run -1 psh "$JOB"'t0=$(date +%s); pool -k --ci-groups gitlab f ::: a b :::+ 0 3 2>&1; r=$?; echo "t0=$t0 t1=$(date +%s)"; exit $r'
	e=$'\e' cr=$'\r'
	[ "${lines[0]}" != "${lines[0]#${e}[0Ksection_start:}" ]
	[[ "${lines[0]}" =~ ^${e}\[0Ksection_start:([0-9]+):pool_job_1\[collapsed=true\]${cr}${e}\[0Kf\ a\ 0$ ]]
	s1=${BASH_REMATCH[1]}
	[ "${lines[1]}" = 'out a' ] && [ "${lines[2]}" = 'err a' ]
	[[ "${lines[3]}" =~ ^${e}\[0Ksection_end:([0-9]+):pool_job_1${cr}${e}\[0K$ ]]
	e1=${BASH_REMATCH[1]}
	[[ "${lines[4]}" =~ ^${e}\[0Ksection_start:[0-9]+:pool_job_2${cr}${e}\[0Kf\ b\ 3\ \(failed:\ exit\ status\ 3\)$ ]]
	[[ "${lines[7]}" =~ ^${e}\[0Ksection_end:[0-9]+:pool_job_2${cr}${e}\[0K$ ]]
	[[ "${lines[8]}" =~ ^t0=([0-9]+)\ t1=([0-9]+)$ ]]
	(( BASH_REMATCH[1] <= s1 && s1 <= e1 && e1 <= BASH_REMATCH[2] ))
}

@test "pool --ci-groups auto: GitHub from GITHUB_ACTIONS, GitLab from GITLAB_CI, else none" {
	run -0 psh 'GITHUB_ACTIONS=true pool --ci-groups auto echo ::: x'
	assert_output $'::group::echo x\nx\n::endgroup::'
	run -0 psh 'GITLAB_CI=true pool --ci-groups auto echo ::: x'
	assert_output --partial 'section_start:'
	assert_output --partial 'section_end:'
	run -0 psh 'unset GITHUB_ACTIONS GITLAB_CI; pool --ci-groups auto echo ::: x'
	assert_output 'x'
	run -0 psh 'GITHUB_ACTIONS=true pool --ci-groups none echo ::: x'
	assert_output 'x'
}

@test "pool --ci-groups: bad kind, -u, --line-buffer, --persist are usage errors; nothing runs" {
	run -2 psh 'pool --ci-groups jenkins echo ran ::: a'
	assert_output --partial 'pool: jenkins: invalid CI system (github, gitlab, auto or none)'
	refute_output --partial ran
	run -2 psh 'pool -u --ci-groups github echo ran ::: a'
	assert_output --partial 'pool: --ci-groups wraps each job'"'"'s grouped output: not with -u or --line-buffer'
	run -2 psh 'pool --line-buffer --ci-groups github echo ran ::: a'
	refute_output --partial ran
	run -2 psh 'f() { echo ran; }; pool --persist --ci-groups github f ::: a'
	assert_output --partial 'not with --persist yet'
	run -2 psh 'pool --sem --junit x echo ran'
	assert_output --partial '--junit reports on a batch'
}

@test "pool --ci-groups under set -euo pipefail, in order with -k and -j" {
	run -0 psh 'set -euo pipefail; f() { sleep "0.0$1"; echo "$1"; }; pool -k -j4 --ci-groups github f ::: 5 1 3; echo end'
	assert_output $'::group::f 5\n5\n::endgroup::\n::group::f 1\n1\n::endgroup::\n::group::f 3\n3\n::endgroup::\nend'
}

@test "pool --junit: one testcase per job, failures with exit status and stderr tail; valid XML" {
	run -1 psh "$JOB"'pool -j1 --tag --junit "$1" f ::: a b c :::+ 0 3 0 >/dev/null 2>&1' "$BATS_TEST_TMPDIR/j.xml"
	run -0 valid_xml "$BATS_TEST_TMPDIR/j.xml"
	assert_output - <<-'EOF2'
	tests=3 failures=1
	case [a 0] time=yes
	case [b 3] time=yes failure [failed: exit status 3] [err b|]
	case [c 0] time=yes
	EOF2
}

@test "pool --junit: names and stderr escaped; control bytes and bad UTF-8 made valid" {
	run -1 psh 'f() { printf "x\001y\377z<&>\n" >&2; return 2; }; pool --junit "$1" f ::: "<a & \"b\">" 2>/dev/null' "$BATS_TEST_TMPDIR/j.xml"
	run -0 valid_xml "$BATS_TEST_TMPDIR/j.xml"
	assert_output - <<-EOF2
	tests=1 failures=1
	case [f '<a & "b">'] time=yes failure [failed: exit status 2] [x$(printf '\xef\xbf\xbd')y$(printf '\xef\xbf\xbd')z<&>|]
	EOF2
	grep -q '&lt;a &amp; &quot;b&quot;&gt;' "$BATS_TEST_TMPDIR/j.xml"
}

@test "pool --junit: only the last 4 KiB of a failed job's stderr" {
	run -1 psh 'f() { seq 100000 >&2; return 1; }; pool --junit "$1" f ::: x 2>/dev/null' "$BATS_TEST_TMPDIR/j.xml"
	run -0 valid_xml "$BATS_TEST_TMPDIR/j.xml"
	assert_output --partial '|99999|100000|]'
	n=$(python3 -c 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); print(len("".join(x.data for x in d.getElementsByTagName("failure")[0].childNodes)))' "$BATS_TEST_TMPDIR/j.xml")
	[ "$n" -le 4096 ] && [ "$n" -ge 4000 ]
}

@test "pool --junit: written when a halt stops the pool, and when a signal does" {
	run -3 psh 'f() { sleep "$1"; return "$2"; }; pool -j2 --halt now,fail=1 --junit "$1" f ::: 0.1 5 :::+ 3 0' "$BATS_TEST_TMPDIR/h.xml"
	run -0 valid_xml "$BATS_TEST_TMPDIR/h.xml"
	assert_output --partial 'tests=2 failures=2'
	assert_output --partial 'case [f 0.1 3] time=yes failure [failed: exit status 3]'
	assert_output --partial 'case [f 5 0] time=yes failure [failed: killed by signal 15]'
	run -0 psh 'trap "echo trapped" TERM; f() { kill -TERM $$; sleep 5; }; pool --junit "$1" f ::: x; echo "rc=$?"' "$BATS_TEST_TMPDIR/s.xml"
	assert_output --partial 'rc=143'
	run -0 valid_xml "$BATS_TEST_TMPDIR/s.xml"
	assert_output --partial 'tests=1 failures=1'
}

@test "pool --junit: a file that cannot be written stops the pool before any job" {
	run -1 psh 'pool --junit /nonexistent/dir/j.xml echo ran ::: a'
	assert_output --partial 'pool: --junit: /nonexistent/dir/j.xml: No such file or directory'
	refute_output --partial ran
	run -2 psh 'pool --junit "" echo ran ::: a'
	assert_output --partial "pool: '': invalid JUnit file"
}

@test "pool --junit with --ci-groups and --colsep: both reports, names from the columns" {
	run -0 psh 'set -euo pipefail; pool -k --colsep , --tag --ci-groups github --junit "$1" echo ::: a,b' "$BATS_TEST_TMPDIR/j.xml"
	assert_output $'::group::a b\na b\ta b\n::endgroup::'
	run -0 valid_xml "$BATS_TEST_TMPDIR/j.xml"
	assert_output $'tests=1 failures=0\ncase [a b] time=yes'
}
