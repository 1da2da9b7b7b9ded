"""Tests of checker.py on hand-made chains. Run: python3 -B -m unittest test_checker -v"""
import contextlib
import hashlib
import io
import json
import os
import tempfile
import time
import unittest
from types import SimpleNamespace

import checker

ZEROS = "0" * 64


def sha(s):
    return hashlib.sha256(s.encode()).hexdigest()


FORMULAS = {  # name -> (how the block's hash is computed, words the checker must report)
    "statement": (lambda p, d, t, b: sha(p + str(d) + t), "prev_hash + str(datos) + timestamp"),
    "json_sorted": (lambda p, d, t, b: sha(p + json.dumps(d, sort_keys=True) + t),
                    "json.dumps(datos, sort_keys=True) + timestamp"),
    "json_compact_other_order": (lambda p, d, t, b: sha(json.dumps(d, separators=(",", ":")) + t + p),
                                 "json.dumps(datos, separators=(',', ':')) + timestamp + prev_hash"),
    "prev_ts_datos_pipe": (lambda p, d, t, b: sha(p + "|" + t + "|" + str(d)),
                           'prev_hash + "|" + timestamp + "|" + str(datos)'),
    "whole_block": (lambda p, d, t, b: sha(json.dumps(b, sort_keys=True)), 'k != "hash"'),
    "numpy2": (lambda p, d, t, b: sha(p + checker.pyrepr(d, np2=True) + t), "np.float64"),
}


def oxygen(i):
    """Window mean of oxygen: below 90 for blocks 15-29, so those carry an alert."""
    return 85.0 + i % 3 if 15 <= i < 30 else 95.0 - i % 4


def make_chain(n=60, formula="statement", prev_key="prev_hash", genesis="zeros", alert=None):
    fn = FORMULAS[formula][0]
    chain = []
    if genesis == "block":
        g = {"timestamp": "2025-09-01T09:59:59", "datos": {}, "alerta": False, prev_key: ZEROS}
        g["hash"] = sha("genesis")
        chain.append(g)
    for i in range(n):
        datos = {"frecuencia": {"media": 100.0 + i % 7, "desv": 0.0 if i == 0 else 3.5},
                 "presion": {"media": 140.0 + i % 5, "desv": 0.0 if i == 0 else 8.25},
                 "oxigeno": {"media": oxygen(i), "desv": 0.0 if i == 0 else 2.0}}
        ts = "2025-09-01T10:%02d:%02d" % divmod(i, 60)
        prev = chain[-1]["hash"] if chain else (None if genesis == "null" else ZEROS)
        a = checker.rule(checker.signals(datos)) if alert is None else alert(i)
        block = {"timestamp": ts, "datos": datos, "alerta": a, prev_key: prev}
        block["hash"] = fn("" if prev is None else prev, datos, ts, dict(block))
        chain.append(block)
    return chain


def rehash(chain, formula="statement", prev_key="prev_hash", start=0):
    """Recompute hashes and links from `start` on, as a consistent (if wrong) program would."""
    fn = FORMULAS[formula][0]
    for i in range(start, len(chain)):
        b = chain[i]
        if i:
            b[prev_key] = chain[i - 1]["hash"]
        body = {k: v for k, v in b.items() if k != "hash"}
        b["hash"] = fn(b[prev_key] or "", b["datos"], b["timestamp"], body)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, content):
        path = os.path.join(self.dir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(content, bytes) else "w"
        with open(path, mode) as f:
            f.write(content if isinstance(content, (str, bytes)) else json.dumps(content, indent=2))
        return path

    def chain(self, chain, **kw):
        return checker.check_chain(self.write("blockchain.json", chain), **kw)

    def get(self, res, check):
        return next(f for f in res["findings"] if f["check"] == check)


class ValidChains(Base):
    def test_each_formula_family_validates(self):
        for name, (_, words) in FORMULAS.items():
            with self.subTest(formula=name):
                res = self.chain(make_chain(formula=name))
                self.assertTrue(res["ok"], res)
                self.assertIn(words, self.get(res, "hash_formula")["formula"])

    def test_statement_formula_is_named_first(self):
        res = self.chain(make_chain())
        self.assertEqual(res["summary"]["formula"], "sha256(prev_hash + str(datos) + timestamp)")
        self.assertEqual(self.get(res, "alert")["basis"], "means")
        self.assertEqual(res["summary"]["alerts"], 15)

    def test_other_prev_key_and_genesis_conventions(self):
        for prev_key, genesis, label in (("hash_anterior", "zeros", "zeros"), ("hash_previo", "null", "null"),
                                         ("prev_hash", "block", "explicit genesis block")):
            with self.subTest(prev_key=prev_key, genesis=genesis):
                res = self.chain(make_chain(prev_key=prev_key, genesis=genesis))
                self.assertTrue(res["ok"], res)
                self.assertEqual(res["summary"]["prev_key"], prev_key)
                self.assertEqual(res["summary"]["genesis_prev"], label)
                self.assertEqual(self.get(res, "block_count")["count"], 60)

    def test_found_in_a_subfolder_of_the_run(self):
        self.write("salida/blockchain.json", make_chain())
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = checker.main(["chain", "--out", self.dir])
        self.assertEqual(code, 0)
        self.assertTrue(json.loads(out.getvalue())["summary"]["file"].endswith("salida/blockchain.json"))

    def test_pyrepr_is_str_for_plain_data(self):
        d = {"a": [1, 2.5, "x'y"], "b": {"c": None, "d": True}}
        self.assertEqual(checker.pyrepr(d), str(d))
        self.assertEqual(checker.pyrepr([1, 2], tuples=True), str((1, 2)))


class BrokenChains(Base):
    def test_broken_link_names_the_block(self):
        c = make_chain()
        b = c[17]
        b["prev_hash"] = sha("otra cosa")  # only block 17's link is wrong; every hash is right
        b["hash"] = sha(b["prev_hash"] + str(b["datos"]) + b["timestamp"])
        rehash(c, start=18)
        f = self.get(self.chain(c), "linkage")
        self.assertEqual((f["status"], f["index"]), ("fail", 17))
        self.assertIn("17", f["es"])

    def test_wrong_hash_names_the_block_and_formula(self):
        c = make_chain()
        c[23]["datos"]["oxigeno"]["media"] += 1  # changed after hashing
        res = self.chain(c)
        f = self.get(res, "hash_formula")
        self.assertEqual((f["status"], f["index"]), ("fail", 23))
        self.assertIn("str(datos)", f["formula"])
        self.assertEqual(self.get(res, "linkage")["status"], "pass")

    def test_altered_hash_breaks_hash_and_next_link(self):
        c = make_chain()
        c[5]["hash"] = sha("x")
        res = self.chain(c)
        self.assertEqual(self.get(res, "hash_formula")["index"], 5)
        self.assertEqual(self.get(res, "linkage")["index"], 6)

    def test_no_known_formula(self):
        c = make_chain()
        for i, b in enumerate(c):
            b["prev_hash"] = c[i - 1]["hash"] if i else ZEROS
            b["hash"] = sha(b["timestamp"] + "sal secreta")
        f = self.get(self.chain(c), "hash_formula")
        self.assertEqual(f["status"], "fail")
        self.assertIn("sha256(prev_hash + str(datos) + timestamp)", f["es"])

    def test_thousands_of_blocks_with_unknown_hashes_stay_fast(self):
        c = make_chain()
        c = [dict(c[i % 60], hash=sha(str(i)), prev_hash=sha(str(i - 1))) for i in range(3000)]
        started = time.monotonic()
        f = self.get(self.chain(c), "hash_formula")
        self.assertEqual(f["status"], "fail")
        self.assertLess(time.monotonic() - started, 10)

    def test_keys_nobody_recognises_are_not_a_genesis_block(self):
        c = make_chain()
        for b in c:
            b["datos"] = {"bpm": b["datos"]["frecuencia"]}
        rehash(c)
        res = self.chain(c)
        self.assertFalse(res["summary"]["explicit_genesis"])
        self.assertEqual(self.get(res, "structure")["index"], 0)

    def test_not_a_hexdigest(self):
        c = make_chain()
        c[0]["hash"] = "abc"
        self.assertIn("hexdigest", self.get(self.chain(c), "hash_formula")["en"])

    def test_59_blocks(self):
        res = self.chain(make_chain(n=59))
        f = self.get(res, "block_count")
        self.assertEqual((f["status"], f["count"]), ("fail", 59))
        self.assertFalse(res["ok"])

    def test_duplicate_timestamps(self):
        c = make_chain()
        for i in range(31, 60):
            c[i]["timestamp"] = "2025-09-01T10:%02d:%02d" % divmod(i - 1, 60)
        rehash(c)
        f = self.get(self.chain(c), "timestamps")
        self.assertEqual((f["status"], f["index"]), ("fail", 31))
        self.assertIn("mismo timestamp", f["es"])

    def test_negative_std_dev(self):
        c = make_chain()
        c[3]["datos"]["presion"]["desv"] = -1.0
        rehash(c)
        f = self.get(self.chain(c), "std_dev")
        self.assertEqual((f["status"], f["index"]), ("fail", 3))

    def test_missing_key(self):
        c = make_chain()
        del c[8]["alerta"]
        f = self.get(self.chain(c), "structure")
        self.assertEqual((f["status"], f["index"]), ("fail", 8))


class Alerts(Base):
    def test_sticky_alert(self):
        c = make_chain(alert=lambda i: i >= 15)
        f = self.get(self.chain(c), "alert")
        self.assertEqual((f["status"], f["basis"], f["index"]), ("fail", "sticky", 30))
        self.assertIn("nunca se reinicia", f["es"])

    def test_alert_without_any_possible_reason(self):
        c = make_chain(alert=lambda i: i == 0 or (15 <= i < 30))  # block 0: one sample, desv 0
        f = self.get(self.chain(c), "alert")
        self.assertEqual((f["status"], f["index"]), ("fail", 0))

    def test_means_out_of_range_but_never_an_alert(self):
        f = self.get(self.chain(make_chain(alert=lambda i: False)), "alert")
        self.assertEqual((f["status"], f["index"]), ("fail", 15))

    def test_raw_sample_basis_is_a_note(self):
        # An alert on some raw samples inside the episode, not on every block of it.
        c = make_chain(alert=lambda i: i in (14, 16, 20, 41))
        f = self.get(self.chain(c), "alert")
        self.assertEqual((f["status"], f["basis"]), ("note", "raw_or_other"))


class UntrustedFiles(Base):
    def test_malformed_json(self):
        f = self.chain('[{"timestamp": "x", ]')["findings"][0]
        self.assertEqual((f["check"], f["status"]), ("chain_file", "fail"))
        self.assertIn("línea 1", f["es"])

    def test_huge_file(self):
        path = self.write("blockchain.json", b"[" + b" " * (checker.MAX_CHAIN_BYTES + 10) + b"]")
        f = checker.check_chain(path)["findings"][0]
        self.assertIn("demasiado grande", f["es"])

    def test_deep_nesting(self):
        f = self.chain("[" * 100000 + "]" * 100000)["findings"][0]
        self.assertEqual(f["status"], "fail")

    def test_not_a_list(self):
        f = self.chain({"a": 1})["findings"][0]
        self.assertIn("lista JSON", f["es"])

    def test_one_list_inside_an_object_is_accepted(self):
        self.assertTrue(self.chain({"cadena": make_chain()})["ok"])

    def test_symlink_and_fifo_are_refused_without_hanging(self):
        target = self.write("real.json", make_chain())
        link = os.path.join(self.dir, "link.json")
        os.symlink(target, link)
        self.assertFalse(checker.check_chain(link)["ok"])
        fifo = os.path.join(self.dir, "fifo.json")
        os.mkfifo(fifo)
        self.assertIn("archivo común", checker.check_chain(fifo)["findings"][0]["es"])

    def test_no_chain_written(self):
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = checker.main(["chain", "--out", self.dir])
        self.assertEqual(code, 1)
        self.assertFalse(json.loads(out.getvalue())["ok"])


class Snapshots(Base):
    def snaps(self, counts, torn=0):
        chain = make_chain()
        for k, n in enumerate(counts):
            self.write(f"snaps/{k:03d}.json", chain[:n])
        for k in range(torn):
            self.write(f"snaps/{len(counts) + k:03d}.json", '[{"timestamp": "2025')
        return chain

    def test_growing_file(self):
        chain = self.snaps([3, 8, 14, 20, 60], torn=1)
        f = self.get(self.chain(chain, snapshots=os.path.join(self.dir, "snaps")), "rewritten")
        self.assertEqual(f["status"], "pass")
        self.assertIn("os.replace", f["es"])

    def test_written_only_at_the_end(self):
        chain = self.snaps([60, 60])
        f = self.get(self.chain(chain, snapshots=os.path.join(self.dir, "snaps")), "rewritten")
        self.assertEqual(f["status"], "fail")


REPORT = """Total de bloques: 60
Bloques con alerta: 15
Promedio de frecuencia: {f:.2f}
Promedio de presión: {p:.2f}/88
Promedio de oxígeno: {o:.2f}
Cantidad de bloques corruptos: 0
"""


class Reports(Base):
    def means(self, chain):
        return {k[0]: sum(b["datos"][k]["media"] for b in chain) / len(chain) for k in checker.SIGNALS}

    def check(self, text, chain=None):
        chain = chain or make_chain()
        return checker.check_report(self.write("blockchain.json", chain), self.write("reporte.txt", text))

    def test_matching_report(self):
        chain = make_chain()
        res = self.check(REPORT.format(**self.means(chain)), chain)
        self.assertTrue(res["ok"], res)

    def test_wrong_alert_count_and_average(self):
        chain = make_chain()
        m = self.means(chain)
        m["o"] += 2
        res = self.check(REPORT.format(**m).replace("alerta: 15", "alerta: 16"), chain)
        self.assertEqual(self.get(res, "report_alerts")["status"], "fail")
        self.assertEqual(self.get(res, "report_oxigeno")["status"], "fail")
        self.assertEqual(self.get(res, "report_frecuencia")["status"], "pass")

    def test_missing_values(self):
        res = self.check("Listo.\n")
        self.assertIn("no lo encontramos", self.get(res, "report_blocks")["es"])

    def test_json_report_and_decimal_comma(self):
        chain = make_chain()
        m = self.means(chain)
        rep = {"total_bloques": 60, "bloques_con_alerta": 15,
               "promedios": {"frecuencia": m["f"], "presion": m["p"], "oxigeno": str(round(m["o"], 2)).replace(".", ",")}}
        self.assertTrue(self.check(json.dumps(rep), chain)["ok"])

    def test_binary_garbage(self):
        self.assertFalse(self.check(os.urandom(2000))["ok"])


class Verifier(Base):
    def run_verifier(self, clean_out, clean_rep, t_out, t_rep, index=40):
        a = SimpleNamespace(clean_stdout=self.write("c.out", clean_out), clean_report=self.write("c.rep", clean_rep),
                            tampered_stdout=self.write("t.out", t_out), tampered_report=self.write("t.rep", t_rep),
                            tampered_index=index)
        return checker.check_verifier(a)

    def test_detects_the_block(self):
        res = self.run_verifier("Cadena íntegra: 60 bloques\n", "Bloques corruptos: 0\n",
                                "Bloque 40 CORRUPTO\nCadena inválida\n", "Bloques corruptos: 1\n")
        self.assertTrue(res["ok"], res)

    def test_block_zero_is_an_index_not_a_count(self):
        self.assertTrue(checker.flags_problem("Bloque 0 CORRUPTO: el hash no coincide"))
        self.assertTrue(checker.flags_problem("Índices de bloques corruptos: 0, 7"))
        self.assertFalse(checker.flags_problem("Bloques corruptos: 0"))
        self.assertFalse(checker.flags_problem("0 errores"))
        self.assertFalse(checker.flags_problem("Índices de bloques corruptos: ninguno"))

    def test_output_unchanged(self):
        res = self.run_verifier("OK\n", "Total de bloques: 60\n", "OK\n", "Total de bloques: 60\n")
        self.assertEqual(self.get(res, "verifier_detects")["status"], "fail")
        self.assertIn("exactamente", self.get(res, "verifier_detects")["es"])

    def test_prints_nothing(self):
        res = self.run_verifier("", "", "", "")
        self.assertFalse(res["ok"])

    def test_every_block_corrupt_already_on_the_clean_chain(self):
        clean = "".join(f"Bloque {i}: hash no coincide\n" for i in range(60))
        res = self.run_verifier(clean, "Promedio: 120.1\n", clean, "Promedio: 120.2\n")
        self.assertEqual(self.get(res, "verifier_clean")["status"], "fail")
        self.assertIn("no distingue", self.get(res, "verifier_detects")["es"])

    def test_a_crash_on_the_tampered_chain_is_not_a_detection(self):
        crash = 'Traceback (most recent call last):\n  File "v.py", line 3\nKeyError: 40\n'
        res = self.run_verifier("Cadena íntegra\n", "", crash, "")
        self.assertEqual(self.get(res, "verifier_detects")["status"], "fail")

    def test_changed_but_says_nothing_useful(self):
        res = self.run_verifier("Promedio: 120.1\n", "", "Promedio: 120.2\n", "")
        self.assertIn("cuál", self.get(res, "verifier_detects")["es"])


class Tamper(Base):
    def test_tampered_copy_fails_at_that_block(self):
        src = self.write("blockchain.json", make_chain())
        out = os.path.join(self.dir, "alterada.json")
        res = checker.tamper(src, out)
        self.assertEqual(res["summary"]["index"], 40)
        self.assertEqual(res["summary"]["field"], "datos.frecuencia.media")
        f = self.get(checker.check_chain(out), "hash_formula")
        self.assertEqual((f["status"], f["index"]), ("fail", 40))


if __name__ == "__main__":
    unittest.main()
