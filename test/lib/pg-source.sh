# Sourced by ./run and bench/sync/run: a PostgreSQL server of another major
# version than Debian's 15, built from the source tarballs in the shared
# directory (../shared/postgres/ beside the clone) into a cache outside the
# clone, once per version.  `pg_source_server 18` sets PG_CONFIG to that
# server's pg_config, building it first when the cache lacks it.
#
# Settings: PKGMETA_PG_SOURCES (directory of postgresql-X.Y-src.tar.gz),
# PKGMETA_PG_CACHE (where the builds go; default
# ${XDG_CACHE_HOME:-$HOME/.cache}/pkgmeta, as root /var/cache/pkgmeta: the
# clusters run as postgres, which must read the server and its libraries,
# and root's home is closed to it).

pg_source_dir() {
	local top
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	local d
	for d in "${PKGMETA_PG_SOURCES:-}" "$top/../shared/postgres" /work/shared/postgres; do
		if [ -n "$d" ] && compgen -G "$d/postgresql-*-src.tar.gz" >/dev/null; then
			(cd "$d" && pwd)
			return 0
		fi
	done
	echo "no PostgreSQL source tarballs: set PKGMETA_PG_SOURCES to their directory" >&2
	return 1
}

# pg_source_server MAJOR: sets PG_CONFIG (exported) to the cached build.
pg_source_server() {
	local major=$1 sources tarball version
	case "$major" in
		'' | *[!0-9]*) echo "--pg wants a major version number, not '$major'" >&2; return 1 ;;
	esac
	sources=$(pg_source_dir) || return 1
	tarball=$(ls "$sources"/postgresql-"$major".*-src.tar.gz 2>/dev/null | sort -V | tail -1)
	if [ -z "$tarball" ]; then
		echo "no source of PostgreSQL $major in $sources (there: $(cd "$sources" && ls postgresql-*-src.tar.gz | tr '\n' ' '))" >&2
		return 1
	fi
	version=$(basename "$tarball" -src.tar.gz)
	version=${version#postgresql-}
	local cache=${PKGMETA_PG_CACHE:-}
	if [ -z "$cache" ]; then
		if [ "$(id -u)" = 0 ]; then
			cache=/var/cache/pkgmeta
		else
			cache=${XDG_CACHE_HOME:-$HOME/.cache}/pkgmeta
		fi
	fi
	local prefix="$cache/postgres-$version"
	mkdir -p "$cache"
	# one build at a time per version, even from several clones
	(
		flock 9
		[ -f "$prefix/.complete" ] && exit 0
		pg_source_build "$tarball" "$version" "$prefix"
	) 9>"$cache/postgres-$version.lock" || return 1
	PG_CONFIG="$prefix/bin/pg_config"
	export PG_CONFIG
}

# The configure line of the shared README, plus the TAP modules
# (PostgreSQL::Test::Cluster) the TAP tests load from the installation.
pg_source_build() {
	local tarball=$1 version=$2 prefix=$3
	local work="$prefix.build"
	echo "building PostgreSQL $version into $prefix (once; log in $work.log)" >&2
	rm -rf "$work" "$prefix"
	mkdir -p "$work"
	{
		tar xzf "$tarball" -C "$work" &&
			cd "$work/postgresql-$version" &&
			./configure --prefix="$prefix" --without-icu --without-readline --with-zlib \
				--enable-tap-tests &&
			make -C src -j"$(nproc)" &&
			make -C src install &&
			make -C config install
	} >"$work.log" 2>&1 || {
		tail -40 "$work.log" >&2
		echo "building PostgreSQL $version failed (log: $work.log)" >&2
		return 1
	}
	rm -rf "$work"
	chmod -R a+rX "$prefix"
	touch "$prefix/.complete"
}
