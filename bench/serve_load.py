#!/usr/bin/env python3
"""bench/serve_load.py — vers serve under load (bench/serve-load.sh runs it; not a test).

  serve_load.py run VERS OUT.json [--clients 50] [--seconds 60] [--queue 16] [--form F --lang L]
                    [--model M] [--write-seeds PATH]
      1. `vers serve -m M --queue Q` on a free localhost port, CLIENTS threads posting
         /api/write for SECONDS (a bounded loop: each client stops sending at the end and
         waits for its answer), every seed different; after a 503 a client waits as
         Retry-After says (1 s);
      2. the server's resident memory (VmRSS) at 10 s and at the end;
      3. the baseline, after the load: the very seeds the server wrote (200 or 422), with the
         same model and options, back to back in one process (bench/write_seeds: each seed's
         poem at index 0, the bytes `vers write --seed S` prints) — identical work, so the
         two poems-per-minute figures compare the server with no server; also each seed's
         writing time in both, and whether the baseline's poem is the server's;
      results (every poem with its seed, latencies, statuses) into OUT.json.
  serve_load.py verify VERS OUT.json
      each poem against `vers write` for its seed (same bytes); the figures and verdicts.

Verdicts: no crash, no request without an answer, no mixed-up poem, 503 only with the queue
full (the 503's message gives the waiting count: it must be Q), served poems per minute
>= 0.8 x the baseline, RSS at the end <= RSS at 10 s + 5%.
"""
import http.client, json, os, re, signal, subprocess, sys, threading, time

def args(argv, name, default):
    return type(default)(argv[argv.index(name) + 1]) if name in argv else default

def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] if xs else float("nan")

def run(vers, out, argv):
    clients, seconds = args(argv, "--clients", 50), args(argv, "--seconds", 60)
    queue, form, lang = args(argv, "--queue", 16), args(argv, "--form", "quatrain-fr"), args(argv, "--lang", "fr")
    model = args(argv, "--model", os.environ.get("VERS_MODEL") or "models/vers-default.gguf")
    write_seeds = args(argv, "--write-seeds", os.path.join(os.path.dirname(vers) or ".", "bench", "write_seeds"))
    if not os.access(write_seeds, os.X_OK):
        sys.exit("%s is not built (make %s)" % (write_seeds, write_seeds))
    # 1. the server
    srv = subprocess.Popen([vers, "serve", "--port", "0", "--queue", str(queue), "-m", model], stderr=subprocess.PIPE, text=True)
    port = None
    for line in srv.stderr:
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if m:
            port = int(m.group(1)); break
    if not port:
        sys.exit("vers serve did not start")
    threading.Thread(target=lambda: [None for _ in srv.stderr], daemon=True).start()
    lock = threading.Lock()
    state = {"seed": 1000, "results": [], "errors": [], "rejects": []}
    t_start = time.time()
    t_end = t_start + seconds

    def client():
        while time.time() < t_end:
            with lock:
                seed = state["seed"]; state["seed"] += 1
            body = json.dumps({"lang": lang, "form": form, "seed": seed})
            t = time.time()
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
                c.request("POST", "/api/write", body, {"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read().decode("utf-8")
                c.close()
            except Exception as e:
                with lock: state["errors"].append("seed %d: %r" % (seed, e))
                continue
            dt = time.time() - t
            with lock:
                if r.status == 200:
                    js = json.loads(data)
                    state["results"].append({"seed": seed, "latency": dt, "done": time.time() - t_start,
                                             "text": js["text"], "poem_s": js["scores"]["seconds"]})
                elif r.status == 503:
                    state["rejects"].append(data.strip())
                elif r.status == 422:          # no poem within the search budget: vers write fails too
                    state["results"].append({"seed": seed, "latency": dt, "done": time.time() - t_start, "text": None})
                else:
                    state["errors"].append("seed %d: status %d %s" % (seed, r.status, data.strip()))
            if r.status == 503:              # as Retry-After says
                time.sleep(float(r.getheader("Retry-After", "1")))

    ths = [threading.Thread(target=client) for _ in range(clients)]
    for th in ths: th.start()
    rss10 = None
    while any(th.is_alive() for th in ths):
        time.sleep(0.25)
        el = time.time() - t_start
        if rss10 is None and el >= 10:
            rss10 = rss_kb(srv.pid)
        if el >= seconds and "rss_end" not in state:
            state["rss_end"] = rss_kb(srv.pid)
        if srv.poll() is not None:
            break
    crashed = srv.poll() is not None
    wall = time.time() - t_start
    if not crashed:
        srv.send_signal(signal.SIGTERM)
        rc = srv.wait(timeout=120)
    else:
        rc = srv.returncode
    # 3. the baseline: the seeds the server wrote, in the order it wrote them, one process
    seeds = [r["seed"] for r in sorted(state["results"], key=lambda r: r["done"])]
    t0 = time.time()
    b = subprocess.run([write_seeds, "-m", model, "--lang", lang, "--form", form],
                       input="".join("%d\n" % x for x in seeds), check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    base_wall = time.time() - t0
    m = re.search(r"(\d+) poems in ([\d.]+) s", b.stderr)
    base_n, base_s = (int(m.group(1)), float(m.group(2))) if m else (0, float("nan"))
    base = {}
    for l in b.stdout.splitlines():
        js = json.loads(l)
        base[js["seed"]] = js
    base_poem_s = [js["scores"]["seconds"] for js in base.values() if "scores" in js]
    base_ppm = base_n / base_s * 60 if base_s > 0 else float("nan")
    differ = [r["seed"] for r in state["results"] if (base.get(r["seed"], {}).get("text")) != r["text"]]
    paired = [(r["poem_s"], base[r["seed"]]["scores"]["seconds"]) for r in state["results"]
              if r.get("poem_s") is not None and "scores" in base.get(r["seed"], {})]
    print("baseline: the server's %d seeds back to back in one process: %d poems in %.1f s of writing "
          "(%.1f s wall with the model's loading) = %.1f poems/min; %d poems differ from the server's" %
          (len(seeds), base_n, base_s, base_wall, base_ppm, len(differ)), flush=True)
    if paired:
        print("same seeds, writing time per poem (scores.seconds): server %.3f s, baseline %.3f s (ratio %.2f)" %
              (sum(p[0] for p in paired) / len(paired), sum(p[1] for p in paired) / len(paired),
               sum(p[0] for p in paired) / max(1e-9, sum(p[1] for p in paired))), flush=True)
    done_in = [r for r in state["results"] if r["done"] <= seconds and r["text"] is not None]
    res = {"clients": clients, "seconds": seconds, "queue": queue, "form": form, "lang": lang,
           "baseline_seeds": len(seeds), "baseline_poems": base_n, "baseline_s": base_s, "baseline_ppm": base_ppm,
           "baseline_mean_poem_s": sum(base_poem_s) / len(base_poem_s) if base_poem_s else None,
           "baseline_differs": differ, "model": model,
           "wall_s": wall, "served": len(state["results"]), "served_in_window": len(done_in),
           "ppm": len(done_in) / seconds * 60, "rss10_kb": rss10, "rss_end_kb": state.get("rss_end"),
           "crashed": crashed, "exit_status": rc, "errors": state["errors"], "rejects": len(state["rejects"]),
           "reject_msgs": sorted(set(re.sub(r"\d+ writing", "N writing", m) for m in state["rejects"])),
           "results": state["results"]}
    with open(out, "w") as f:
        json.dump(res, f)
    print("load: %d clients, %d s: %d poems (%d within the window, %.1f/min), %d rejected (503), %d errors, "
          "server %s (exit %s); RSS %s kB at 10 s, %s kB at %d s" %
          (clients, seconds, res["served"], len(done_in), res["ppm"], res["rejects"], len(res["errors"]),
           "crashed" if crashed else "alive", rc, rss10, res["rss_end_kb"], seconds), flush=True)

def verify(vers, out):
    with open(out) as f:
        res = json.load(f)
    mixed = []
    for r in res["results"]:
        want = subprocess.run([vers, "write", "-m", res["model"], "--lang", res["lang"], "--form", res["form"], "--seed", str(r["seed"])],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        if want != (r["text"] or ""):
            mixed.append(r["seed"])
    lat = [r["latency"] for r in res["results"]]
    bad503 = [m for m in res["reject_msgs"] if "(%d waiting" % res["queue"] not in m]
    verdicts = [
        ("no crash, clean exit on SIGTERM", not res["crashed"] and res["exit_status"] == 0),
        ("every request answered (200 or 503)", not res["errors"]),
        ("each poem equals vers write's for its seed (%d checked)" % len(res["results"]), not mixed),
        ("503 only with the queue full (%d waiting)" % res["queue"], not bad503),
        ("the baseline wrote the same poems for the same %d seeds" % res["baseline_seeds"], not res["baseline_differs"]),
        ("poems/min %.1f >= 0.8 x baseline %.1f (the same seeds, back to back)" % (res["ppm"], res["baseline_ppm"]),
         res["ppm"] >= 0.8 * res["baseline_ppm"]),
        ("RSS at %d s %s kB <= RSS at 10 s %s kB + 5%%" % (res["seconds"], res["rss_end_kb"], res["rss10_kb"]),
         res["rss_end_kb"] is not None and res["rss10_kb"] and res["rss_end_kb"] <= res["rss10_kb"] * 1.05),
    ]
    print("latency (queue wait included), %d poems: p50 %.2f s, p99 %.2f s, max %.2f s" %
          (len(lat), pct(lat, 50), pct(lat, 99), max(lat) if lat else float("nan")))
    ps = [r["poem_s"] for r in res["results"] if r.get("poem_s") is not None]
    if ps:
        print("writing time per poem (scores.seconds): server %.3f s mean over %d poems, the baseline's %d poems %.3f s; "
              "the server's writer was busy %.1f s of the %d s" % (sum(ps) / len(ps), len(ps), res["baseline_poems"],
              res.get("baseline_mean_poem_s", float("nan")), sum(r["poem_s"] for r in res["results"] if r.get("poem_s") and r["done"] <= res["seconds"]), res["seconds"]))
    if mixed: print("mixed-up seeds:", mixed[:20])
    if res["errors"]: print("errors:", res["errors"][:5])
    if bad503: print("503 messages:", bad503[:5])
    ok = True
    for name, good in verdicts:
        print("%s  %s" % ("ok  " if good else "FAIL", name))
        ok = ok and good
    return 0 if ok else 1

if __name__ == "__main__":
    if len(sys.argv) < 4 or sys.argv[1] not in ("run", "verify"):
        sys.exit(__doc__)
    if sys.argv[1] == "run":
        run(sys.argv[2], sys.argv[3], sys.argv[4:])
    else:
        sys.exit(verify(sys.argv[2], sys.argv[3]))
