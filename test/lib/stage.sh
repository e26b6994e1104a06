# Sourced by ./run: builds pkgmeta into a private copy of the PostgreSQL
# installation, so tests and the demo need neither root nor `make install`
# into the system server.  PostgreSQL finds its lib and share directories
# relative to its own binary, so a copied tree is a complete installation.
#
# Sets: STAGE (work dir), PGBIN (bin dir of the staged server), SRC (the
# staged copy of this tree), RUN_AS (command prefix running as the
# unprivileged cluster owner), PG_REGRESS.

: "${PG_CONFIG:=pg_config}"
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

stage_user() {
	# initdb refuses root: clusters run as postgres when we are root.
	if [ "$(id -u)" = 0 ]; then
		RUN_AS=(runuser -u postgres --)
		STAGE_OWNER=postgres
	else
		RUN_AS=()
		STAGE_OWNER=$(id -un)
	fi
}

stage_build() {
	stage_user
	case "${PKGMETA_SANITIZE:-}" in
		'' | valgrind) ;;
		*) echo "PKGMETA_SANITIZE=$PKGMETA_SANITIZE: only valgrind is supported" >&2; return 1 ;;
	esac
	STAGE=${PKGMETA_STAGE:-/tmp/pkgmeta-stage-$STAGE_OWNER-$(printf %s "$TOP" | md5sum | cut -c1-8)}
	local bindir sharedir pkglibdir
	bindir=$($PG_CONFIG --bindir)
	sharedir=$($PG_CONFIG --sharedir)
	pkglibdir=$($PG_CONFIG --pkglibdir)
	rm -rf "$STAGE"
	mkdir -p "$STAGE/inst" "$STAGE/src"
	# the server installation, copied with its layout (bin, lib, share):
	# Debian's keeps share apart, a source build has all below its prefix
	local d
	for d in "$(dirname "$bindir")" "$sharedir"; do
		[ -d "$STAGE/inst$d" ] && continue
		mkdir -p "$STAGE/inst$(dirname "$d")"
		cp -a "$d" "$STAGE/inst$d"
	done
	[ -d "$STAGE/inst$pkglibdir" ] || { mkdir -p "$STAGE/inst$(dirname "$pkglibdir")"; cp -a "$pkglibdir" "$STAGE/inst$pkglibdir"; }
	# this tree, without build products and local state
	tar -C "$TOP" --exclude=.git --exclude=node_modules --exclude='*.o' --exclude='*.so' \
		--exclude='*.bc' --exclude=test/results --exclude=tmp_check \
		--exclude=fuzz/work --exclude=fuzz/crashes -cf - . | tar -C "$STAGE/src" -xf -
	chown -R "$STAGE_OWNER" "$STAGE"
	chmod 755 "$STAGE"
	"${RUN_AS[@]}" make -s -C "$STAGE/src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >"$STAGE/build.log" 2>&1 ||
		{ cat "$STAGE/build.log"; echo "build failed" >&2; return 1; }
	"${RUN_AS[@]}" make -s -C "$STAGE/src" install DESTDIR="$STAGE/inst" PG_CONFIG="$PG_CONFIG" >>"$STAGE/build.log" 2>&1 ||
		{ cat "$STAGE/build.log"; echo "install failed" >&2; return 1; }
	PGBIN="$STAGE/inst$bindir"
	SRC="$STAGE/src"
	PG_REGRESS="$STAGE/inst$pkglibdir/pgxs/src/test/regress/pg_regress"
	export PGBIN PG_REGRESS
	[ "${PKGMETA_SANITIZE:-}" = valgrind ] && stage_valgrind_server
	return 0
}

# PKGMETA_SANITIZE=valgrind: the staged `postgres` becomes a wrapper that
# runs every server process under valgrind (children included: backends and
# workers are forks), with test/valgrind.supp (the server's known false
# positives).  Each process logs to $MEMCHECK_LOG_DIR/vg.<pid>; ./run counts
# the errors whose stack passes through pkgmeta.  Leaks are checked too
# (definitely lost at exit): libarchive, libcurl and zlib allocate with
# malloc, outside the memory contexts that a rollback frees.
# (AddressSanitizer preloaded into this Debian server deadlocks in
# bindtextdomain at startup, so valgrind it is.)
stage_valgrind_server() {
	command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; return 1; }
	MEMCHECK_LOG_DIR="$STAGE/valgrind"
	"${RUN_AS[@]}" mkdir -p "$MEMCHECK_LOG_DIR"
	mv "$PGBIN/postgres" "$PGBIN/postgres.real"
	cat >"$PGBIN/postgres" <<WRAPPER
#!/bin/sh
exec valgrind --quiet --trace-children=yes --error-limit=no --num-callers=40 \\
	--leak-check=full --show-leak-kinds=definite \\
	--read-var-info=no --suppressions="$SRC/test/valgrind.supp" \\
	--log-file="$MEMCHECK_LOG_DIR/vg.%p" \\
	"$PGBIN/postgres.real" "\$@"
WRAPPER
	chmod 755 "$PGBIN/postgres"
	chown "$STAGE_OWNER" "$PGBIN/postgres"
	export MEMCHECK_LOG_DIR
	# everything is slower under valgrind: TAP waits accordingly
	export PG_TEST_TIMEOUT_DEFAULT=1800
}
