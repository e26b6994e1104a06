#!/usr/bin/python3
"""Measurements of bench/sync/run against a started cluster (see run).

    measure.py corpus CORPUS_DIR    the five measurements of a corpus
    measure.py memory CORPUS_DIR    peak memory: one big file against a small one
    measure.py v3 CORPUS_DIR        v3 first sync against v2 of the same packages
    measure.py v3shard CORPUS_DIR   peak memory of a first sync of one big v3 shard

Talks to the server with psql (PGBIN, PGHOST, PGPORT, PGUSER from the
environment); times statements with psql's \\timing, so client start-up is
not counted, except for the upsert client, whose whole run is its cost.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

PSQL = os.path.join(os.environ["PGBIN"], "psql")
SRC = os.environ.get("PKGMETA_SRC", "")
MB = 1024 * 1024
RUNS = int(os.environ.get("BENCH_RUNS", "1"))


def psql(db, sql, **kw):
    r = subprocess.run([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                       capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit("psql failed: %s\n%s" % (sql[:200], r.stderr))
    return r.stdout.strip()


def rss_anon(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("RssAnon:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def cpu_seconds(pid):
    """User and system CPU time of a process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Timed:
    """Runs SQL statements in one session after a pause for an idle memory
    sample; the time is the sum of the statements' \\timing figures."""

    def __init__(self, db, statements, settings=()):
        self.app = "pkgmeta-bench-%d" % time.monotonic_ns()
        script = "".join("SET %s;\n" % s for s in settings)
        script += "SELECT pg_sleep(0.5);\n\\timing on\n"
        script += "".join(s if s.startswith("\\") else s + ";\n" for s in statements)
        # idle again, so the sampler reads the backend's final CPU time
        script += "\\timing off\nSELECT pg_sleep(0.3);\n"
        env = dict(os.environ, PGAPPNAME=self.app)
        self.proc = subprocess.Popen([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=env)
        self.pid = None
        self.idle = None
        self.peak = 0
        self.cpu_idle = None
        self.cpu = None
        self.db = db
        sampler = threading.Thread(target=self.sample)
        sampler.start()
        out, err = self.proc.communicate(script)
        sampler.join()
        if self.proc.returncode != 0:
            sys.exit("statements failed: %s\n%s" % (statements, err))
        self.notices = err
        self.seconds = sum(float(t) for t in re.findall(r"^Time: ([0-9.]+) ms", out, re.M)) / 1000

    def sample(self):
        deadline = time.monotonic() + 10
        while self.pid is None and time.monotonic() < deadline:
            found = psql(self.db, "SELECT pid FROM pg_stat_activity WHERE application_name = '%s'"
                         % self.app)
            if found:
                self.pid = int(found)
            else:
                time.sleep(0.02)
        if self.pid is None:
            return
        time.sleep(0.2)
        self.idle = rss_anon(self.pid)
        self.cpu_idle = cpu_seconds(self.pid)
        while self.proc.poll() is None:
            v = rss_anon(self.pid)
            c = cpu_seconds(self.pid)
            if v is None or c is None:
                break
            self.peak = max(self.peak, v)
            self.cpu = c - self.cpu_idle
            time.sleep(0.005)

    def memory(self):
        if self.idle is None:
            return "n/a"
        return "%.1f MB above idle (idle %.1f MB)" % ((self.peak - self.idle) / MB, self.idle / MB)


def stats(path):
    with open(path) as f:
        return {k: int(v) for k, v in (line.strip().split("=") for line in f if "=" in line)}


def sync_settings(mirror):
    return ["pkgmeta.licenses_source = 'file://%s'" % mirror, "client_min_messages = notice"]


def best_of(measure, reset):
    """The fastest of RUNS measurements, each from a checkpoint; reset
    empties what the previous one wrote."""
    best = None
    for i in range(RUNS):
        if i > 0:
            psql("bench", reset)
        psql("bench", "CHECKPOINT")
        t = measure()
        if best is None or t.seconds < best.seconds:
            best = t
    return best


def row(label, packages, t, base):
    rate = packages / t.seconds if t.seconds > 0 else float("inf")
    ratio = "%.2f" % (rate / base) if base else "1.00"
    cpu = "%.2f" % t.cpu if t.cpu is not None else "n/a"
    print("%-44s %10d %9.2f %12.0f %8s %9s" % (label, packages, t.seconds, rate, ratio, cpu),
          flush=True)
    return rate


def gcs_available():
    return os.path.exists(os.path.join(SRC, "src/source_gcs.c")) and \
        os.path.exists(os.path.join(SRC, "test/servers/gcs_server.py"))


def measure_corpus(corpus):
    st = stats(corpus + "/stats")
    mirror = corpus + "/mirror-run"
    shutil.rmtree(mirror, ignore_errors=True)
    shutil.copytree(corpus + "/mirror", mirror)
    subprocess.run(["chown", "-R", os.environ["PGUSER"], mirror], check=True)
    psql("postgres", "CREATE DATABASE bench")
    psql("bench", """
        CREATE EXTENSION pkgmeta;
        CREATE SCHEMA bench;
        CREATE TABLE bench.licenses (LIKE pkgmeta.licenses INCLUDING ALL);
        CREATE TABLE bench.packages_copy (LIKE pkgmeta.packages INCLUDING ALL);
        CREATE TABLE bench.packages_upsert (LIKE pkgmeta.packages INCLUDING ALL);
        CREATE TABLE bench.licenses_upsert (LIKE pkgmeta.licenses INCLUDING ALL)""")
    # LIKE leaves out storage parameters (fillfactor): the same for every table
    options = psql("bench", "SELECT array_to_string(reloptions, ', ') FROM pg_class"
                   " WHERE oid = 'pkgmeta.packages'::regclass")
    if options:
        for t in ("bench.packages_copy", "bench.packages_upsert"):
            psql("bench", "ALTER TABLE %s SET (%s)" % (t, options))
    n = st["packages"]
    print("corpus: %d packages in %d records (%d re-stated by deltas), %d files, %.0f MB as text"
          % (n, st["records"], st["records"] - n, st["files"], st["bytes"] / MB))
    print("machine: %d cores, %s" % (os.cpu_count(), cpu_model()))
    print("%-44s %10s %9s %12s %8s %9s" % ("", "packages", "seconds", "packages/s", "ratio",
                                          "cpu s"))

    copy = best_of(lambda: Timed("bench", [
        "COPY bench.licenses FROM '%s/copy/licenses.copy'" % corpus,
        "COPY bench.packages_copy FROM '%s/copy/packages.copy'" % corpus]),
        "TRUNCATE bench.licenses, bench.packages_copy")
    base = row("1. COPY of the decoded rows (the limit)", n, copy, None)

    initial = best_of(lambda: Timed("bench", ["CALL pkgmeta_sync(NULL)"], sync_settings(mirror)),
                      "TRUNCATE pkgmeta.packages, pkgmeta.checkpoints, pkgmeta.sync_errors;"
                      " TRUNCATE pkgmeta.licenses RESTART IDENTITY")
    row("2. CALL pkgmeta_sync() from a directory", n, initial, base)
    check_content(n)

    # right after the first sync, before the other measurements take the cache
    for reg in os.listdir(corpus + "/delta/v2"):
        shutil.copytree(corpus + "/delta/v2/" + reg, mirror + "/v2/" + reg, dirs_exist_ok=True)
    subprocess.run(["chown", "-R", os.environ["PGUSER"], mirror], check=True)
    psql("bench", "CHECKPOINT")
    delta = Timed("bench", ["CALL pkgmeta_sync(NULL)"], sync_settings(mirror))
    caught_up = Timed("bench", ["CALL pkgmeta_sync(NULL)"], sync_settings(mirror))
    print("5. delta re-stating 1%% (%d packages): %.2f s = %.1f%% of the initial sync (cpu %.2f s)"
          % (st["delta_records"], delta.seconds, 100 * delta.seconds / initial.seconds,
             delta.cpu or 0))
    print("   caught-up sync (nothing new): %.3f s" % caught_up.seconds)

    if gcs_available():
        measure_gcs(corpus + "/mirror", n, base)
    else:
        print("3. sync from GCS over HTTP: skipped: no gs:// source yet")

    psql("bench", "CHECKPOINT; COPY bench.licenses_upsert FROM '%s/copy/licenses.copy'" % corpus)
    upsert = Timed("bench", ["\\i %s/upsert.sql\n" % corpus])
    upsert_rate = row("4. 200-row INSERT .. ON CONFLICT from a client", n, upsert, base)
    same = psql("bench", "SELECT count(*) FROM (TABLE bench.packages_copy"
                " EXCEPT ALL TABLE bench.packages_upsert) d")
    if same != "0":
        sys.exit("the upsert client's table differs from the COPY table in %s rows" % same)

    print("initial sync / 200-row upserts: %.1fx" % ((n / initial.seconds) / upsert_rate))
    print("syncing backend memory (RssAnon): initial sync %s; delta %s"
          % (initial.memory(), delta.memory()))
    print("(seconds: sum of the statements' times, best of %d for 1-3; cpu s: CPU time of the"
          " server backend)" % RUNS)


def warm_listing(port):
    """Lists the bucket once, untimed: the test server computes each object's
    checksums in Python on first listing, which is no cost of pkgmeta's."""
    token = ""
    while True:
        url = "http://127.0.0.1:%d/storage/v1/b/bench/o?prefix=v2/&pageToken=%s" % (
            port, urllib.parse.quote(token))
        with urllib.request.urlopen(url) as r:
            token = json.load(r).get("nextPageToken")
        if not token:
            return


def measure_gcs(mirror, n, base):
    """The same sync from test/servers/gcs_server.py serving the mirror over HTTP."""
    server = subprocess.Popen(["/usr/bin/python3", os.path.join(SRC, "test/servers/gcs_server.py"),
                               "--root", mirror, "--bucket", "bench", "--page-size", "1000",
                               "--exit-on-eof"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        warm_listing(port)
        psql("postgres", "CREATE DATABASE bench_gcs")
        psql("bench_gcs", "CREATE EXTENSION pkgmeta")
        t = None
        for i in range(RUNS):
            if i > 0:
                psql("bench_gcs", "TRUNCATE pkgmeta.packages, pkgmeta.checkpoints,"
                     " pkgmeta.sync_errors; TRUNCATE pkgmeta.licenses RESTART IDENTITY")
            psql("bench_gcs", "CHECKPOINT")
            ti = Timed("bench_gcs", ["CALL pkgmeta_sync(NULL)"],
                       ["pkgmeta.gcs_endpoint = 'http://127.0.0.1:%d'" % port,
                        "pkgmeta.licenses_source = 'gs://bench'", "client_min_messages = notice"])
            if t is None or ti.seconds < t.seconds:
                t = ti
        row("3. CALL pkgmeta_sync() from GCS over HTTP", n, t, base)
        digest = "SELECT count(*), sum(hashtext(p::text)::numeric) FROM %s p"
        same = psql("bench_gcs", digest % "pkgmeta.packages") == \
            psql("bench", digest % "bench.packages_copy")
        print("   content check: %s the COPY table" % ("same as" if same else "DIFFERS from"))
        if not same:
            sys.exit("the sync from GCS differs from the expected final state")
        psql("postgres", "DROP DATABASE bench_gcs")
    finally:
        server.stdin.close()
        server.wait()


def check_content(n):
    """The synced table must equal the COPY of the expected final state."""
    diff = psql("bench", """
        SELECT (SELECT count(*) FROM (TABLE bench.packages_copy EXCEPT ALL TABLE pkgmeta.packages) a)
             + (SELECT count(*) FROM (TABLE pkgmeta.packages EXCEPT ALL TABLE bench.packages_copy) b)
             + (SELECT count(*) FROM (TABLE bench.licenses EXCEPT TABLE pkgmeta.licenses) c)""")
    bad = psql("bench", "SELECT count(*) FROM pkgmeta.sync_errors")
    print("   content check: %s rows differ from the COPY table; %s bad lines reported"
          % (diff, bad))
    if diff != "0":
        sys.exit("the synced packages differ from the expected final state")


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def measure_memory(corpus):
    results = {}
    for sub in ("small", "big"):
        st = stats("%s/%s.stats" % (corpus, sub))
        psql("postgres", "CREATE DATABASE %s" % sub)
        psql(sub, "CREATE EXTENSION pkgmeta")
        t = Timed(sub, ["CALL pkgmeta_sync(NULL)"], sync_settings("%s/%s" % (corpus, sub)))
        count = psql(sub, "SELECT count(*) FROM pkgmeta.packages")
        print("one file of %.0f MB, %d packages (%s stored): %.1f s, %.0f packages/s, %s"
              % (st["bytes"] / MB, st["packages"], count, t.seconds, st["packages"] / t.seconds,
                 t.memory()), flush=True)
        results[sub] = t.peak - t.idle
    st = stats("%s/big-delta.stats" % corpus)
    delta_dir = "%s/big/v2/npm/2" % corpus
    shutil.rmtree(delta_dir, ignore_errors=True)
    shutil.copytree("%s/big-delta/v2/npm/2" % corpus, delta_dir)
    subprocess.run(["chown", "-R", os.environ["PGUSER"], delta_dir], check=True)
    t = Timed("big", ["CALL pkgmeta_sync(NULL)"], sync_settings("%s/big" % corpus))
    shutil.rmtree(delta_dir)
    print("a delta file of %.0f MB re-stating %d of those packages, changed: %.1f s, %.0f packages/s, %s"
          % (st["bytes"] / MB, st["packages"], t.seconds, st["packages"] / t.seconds, t.memory()),
          flush=True)
    results["big"] = max(results["big"], t.peak - t.idle)
    grow = (results["big"] - results["small"]) / MB
    print("peak above idle: big files %.1f MB, small file %.1f MB, growth %.1f MB; limit 64 MB: %s"
          % (results["big"] / MB, results["small"] / MB, grow,
             "within" if results["big"] <= 64 * MB else "EXCEEDED"))


def write_v3_dataset(corpus, out, per_shard=50000):
    """The packages of the corpus's v2 mirror as a v3 full dataset per
    registry: each package's last record, license sets as objects (no
    expressions), in zstd tar shards (GNU tar --zstd) of about per_shard
    packages each."""
    import gzip
    import zlib
    for reg in sorted(os.listdir(corpus + "/mirror/v2")):
        latest = {}
        regdir = "%s/mirror/v2/%s" % (corpus, reg)
        for seq in sorted(os.listdir(regdir), key=int):
            for name in sorted(os.listdir("%s/%s" % (regdir, seq)),
                               key=lambda n: int(n.split(".")[0])):
                path = "%s/%s/%s" % (regdir, seq, name)
                opener = gzip.open if name.endswith(".gz") else open
                with opener(path, "rt", encoding="utf-8") as f:
                    for line in f:
                        try:
                            r = json.loads(line)
                        except ValueError:
                            continue
                        # the corpus's bad lines are no records of v3 either
                        if isinstance(r, dict) and isinstance(r.get("name"), str) and r["name"] \
                                and isinstance(r.get("default_licenses"), list) and r["default_licenses"]:
                            latest[r["name"]] = r
        full = "%s/v3/%s/full_dataset" % (out, reg)
        os.makedirs(full, exist_ok=True)
        shards = max(1, len(latest) // per_shard)
        parts = [[] for _ in range(shards)]
        for name, r in latest.items():
            v3 = {"name": name, "lowest_version": r.get("lowest_version"),
                  "highest_version": r.get("highest_version"),
                  "default_licenses": {"licenses": r.get("default_licenses") or [], "expressions": []},
                  "other_licenses": [{"licenses": o.get("licenses"), "expressions": [],
                                      "versions": o.get("versions")}
                                     for o in (r.get("other_licenses") or [])]}
            parts[zlib.crc32(name.encode()) % shards].append(json.dumps(v3))
        for i, lines in enumerate(parts):
            member_dir = "%s/members/%02x" % (out, i)
            os.makedirs(member_dir, exist_ok=True)
            with open(member_dir + "/000000000.ndjson", "w") as f:
                f.write("".join(l + "\n" for l in lines))
            subprocess.run(["tar", "--zstd", "-cf", "%s/%02x.tar.zst" % (full, i), "-C",
                            out + "/members", "%02x/000000000.ndjson" % i], check=True)
            shutil.rmtree(member_dir)
        with open(full + "/checkpoint.json", "w") as f:
            f.write('{"until": 1700000000}\n')


def measure_v3(corpus):
    """A first sync of a v3 full dataset holding the corpus's packages
    against the v2 first sync of the corpus, in the same run."""
    st = stats(corpus + "/stats")
    n = st["packages"]
    mirror = corpus + "/mirror-run"
    shutil.rmtree(mirror, ignore_errors=True)
    shutil.copytree(corpus + "/mirror", mirror)
    write_v3_dataset(corpus, mirror)
    subprocess.run(["chown", "-R", os.environ["PGUSER"], mirror], check=True)
    psql("postgres", "CREATE DATABASE bench")
    psql("bench", "CREATE EXTENSION pkgmeta")
    print("corpus: %d packages; machine: %d cores, %s" % (n, os.cpu_count(), cpu_model()))
    reset = ("TRUNCATE pkgmeta.packages, pkgmeta.v3_packages, pkgmeta.checkpoints,"
             " pkgmeta.sync_errors; TRUNCATE pkgmeta.licenses RESTART IDENTITY")
    v2 = best_of(lambda: Timed("bench", ["CALL pkgmeta_sync(NULL)"],
                               sync_settings(mirror) + ["pkgmeta.version_formats = 'v2'"]), reset)
    psql("bench", reset)
    v3 = best_of(lambda: Timed("bench", ["CALL pkgmeta_sync(NULL)"],
                               sync_settings(mirror) + ["pkgmeta.version_formats = 'v3'"]), reset)
    got = int(psql("bench", "SELECT count(*) FROM pkgmeta.v3_packages"))
    print("v3 packages stored: %d (corpus: %d)" % (got, n))
    print("%-30s %9s %7s %12s %s" % ("first sync", "seconds", "cpu s", "packages/s",
                                     "peak backend memory"))
    for label, t in (("v2 (the corpus)", v2), ("v3 (full dataset, zstd tar)", v3)):
        print("%-30s %9.2f %7.2f %12.0f %s" % (label, t.seconds, t.cpu or 0, n / t.seconds,
                                               t.memory()))
    print("v3/v2 speed ratio: %.2f by wall clock, %.2f by backend CPU (the goal: at least 0.90)"
          % (v2.seconds / v3.seconds, (v2.cpu or 0) / (v3.cpu or 1)))


def measure_v3_shard(corpus):
    """Peak memory of a first sync of one v3 shard (gen_v3_shard.py)."""
    st = stats(corpus + "/stats")
    archive = corpus + "/v3/npm/full_dataset/00.tar.zst"
    window = subprocess.run(["zstd", "-lv", archive], capture_output=True, text=True).stdout
    window = re.search(r"Window Size: ([^\n]*)", window)
    psql("postgres", "CREATE DATABASE shard")
    psql("shard", "CREATE EXTENSION pkgmeta")
    print("shard: %.0f MB of NDJSON, %d packages, %.0f MB as zstd tar, zstd window %s; machine: "
          "%d cores, %s" % (st["bytes"] / MB, st["packages"], os.path.getsize(archive) / MB,
                            window.group(1) if window else "unknown", os.cpu_count(), cpu_model()),
          flush=True)
    t = Timed("shard", ["CALL pkgmeta_sync(NULL)"],
              sync_settings(corpus) + ["pkgmeta.version_formats = 'v3'",
                                       "pkgmeta.purl_types = 'npm'"])
    got = int(psql("shard", "SELECT count(*) FROM pkgmeta.v3_packages"))
    errors = psql("shard", "SELECT string_agg(reason, '; ') FROM pkgmeta.sync_errors")
    print("v3 packages stored: %d of %d%s" % (got, st["packages"],
                                             "; errors: " + errors if errors else ""))
    print("first sync: %.1f s, cpu %.1f s, %.0f packages/s" % (t.seconds, t.cpu or 0,
                                                            got / t.seconds))
    above = (t.peak - t.idle) / MB if t.idle is not None else float("nan")
    print("peak backend memory (RssAnon, sampled every 5 ms): %s; limit 64 MB: %s"
          % (t.memory(), "within" if above <= 64 else "EXCEEDED"))


def main():
    mode, corpus = sys.argv[1], sys.argv[2]
    if mode == "corpus":
        measure_corpus(corpus)
    elif mode == "v3":
        measure_v3(corpus)
    elif mode == "v3shard":
        measure_v3_shard(corpus)
    else:
        measure_memory(corpus)


if __name__ == "__main__":
    main()
