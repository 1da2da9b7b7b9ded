#!/usr/bin/env python3
"""TRUSTED checker for 08-biometric-chain (TP1): reads what a student's program wrote.

Runs outside the student's tree and treats every file as untrusted data: size caps, regular files
only (no symlinks, FIFOs or devices), malformed JSON reported, nothing evaluated or imported.

  checker.py chain    --out DIR [--out DIR...] [--snapshots DIR]   (or --chain FILE)
  checker.py report   --chain FILE --report FILE
  checker.py verifier --clean-stdout F --clean-report F --tampered-stdout F --tampered-report F
                      --tampered-index N
  checker.py tamper   --chain FILE --out FILE [--index N]

Each prints one JSON object: {"command", "ok", "summary", "findings"}. A finding has "check",
"status" (pass, fail or note), "task" (1, 2 or 3 of the statement), "en" and "es" messages, and,
when it fails, "verdict": "wrong". Exit status: 0 all pass, 1 some finding failed, 2 usage error.
Python 3.9+, standard library only.
"""
import argparse
import hashlib
import itertools
import json
import math
import os
import re
import stat
import sys
import unicodedata
from datetime import datetime, timezone

MAX_CHAIN_BYTES = 8 * 1024 * 1024  # 60 blocks take about 30 KB; 550 blocks about 300 KB
MAX_TEXT_BYTES = 1024 * 1024
MAX_SNAPSHOTS = 1000
MAX_WALK_ENTRIES = 5000
EXPECTED_BLOCKS = 60
HEAD_BLOCKS = 5  # a formula must fit one of these to be tried on the whole chain
WINDOW = 30
TOLERANCE = 0.5  # report averages vs values recomputed from the chain
PREV_KEYS = ("prev_hash", "hash_previo", "hash_anterior", "previous_hash", "hash_prev", "prevhash",
             "prev", "anterior", "previous")
HASH_KEYS = ("hash", "hash_actual", "hash_bloque", "block_hash", "current_hash")
TS_KEYS = ("timestamp", "ts", "fecha", "time", "tiempo")
DATA_KEYS = ("datos", "data")
ALERT_KEYS = ("alerta", "alert", "alarma")
INDEX_KEYS = ("index", "indice", "índice", "idx")
SIGNALS = ("frecuencia", "presion", "oxigeno")


# ---------------------------------------------------------------- findings and safe reading

def finding(check, status, task, en, es, **details):
    f = {"check": check, "status": status, "task": task}
    if status == "fail":
        f["verdict"] = "wrong"
    f.update(details)
    f["en"], f["es"] = en, es
    return f


def result(command, summary, findings):
    ok = not any(f["status"] == "fail" for f in findings)
    return {"command": command, "ok": ok, "summary": summary, "findings": findings}


def read_capped(path, cap):
    """(bytes, None) or (None, (en, es)). Regular files only, opened without following links."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return None, ("it does not exist", "no existe")
    except OSError as e:
        return None, (f"it cannot be opened ({e.strerror}; a symbolic link?)",
                      f"no se puede abrir ({e.strerror}; ¿es un enlace simbólico?)")
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None, ("it is not a regular file", "no es un archivo común")
        if st.st_size > cap:
            return None, (f"it is too large ({st.st_size} bytes; the limit is {cap})",
                          f"es demasiado grande ({st.st_size} bytes; el límite es {cap})")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(cap + 1)
        if len(data) > cap:
            return None, (f"it is too large (over {cap} bytes)", f"es demasiado grande (más de {cap} bytes)")
        return data, None
    finally:
        os.close(fd)


def read_text(path, cap=MAX_TEXT_BYTES):
    data, err = read_capped(path, cap)
    return (None, err) if data is None else (data.decode("utf-8", errors="replace"), None)


def parse_json(data):
    """(object, None) or (None, (en, es))."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, (f"it is not UTF-8 text (byte {e.start})", f"no es texto UTF-8 (byte {e.start})")
    try:
        return json.loads(text), None
    except json.JSONDecodeError as e:
        return None, (f"it is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})",
                      f"no es JSON válido (línea {e.lineno}, columna {e.colno}: {e.msg})")
    except (ValueError, RecursionError) as e:  # too deep, or an absurd number
        return None, (f"it is not usable JSON ({type(e).__name__})",
                      f"no es un JSON utilizable ({type(e).__name__})")


def norm(s):
    """Lower case without accents: 'Presión' -> 'presion'."""
    s = unicodedata.normalize("NFKD", str(s).lower())
    return "".join(c for c in s if not unicodedata.combining(c))


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def first_key(d, keys):
    for k in keys:
        if k in d:
            return k
    return None


# ---------------------------------------------------------------- blocks

def signal_name(key):
    k = norm(key)
    if k.startswith("frec") or k in ("fc", "bpm", "hr", "heart_rate", "pulso"):
        return "frecuencia"
    if k.startswith("pres") or k.startswith("tension"):
        return "presion"
    if k.startswith("ox") or k.startswith("spo2") or k.startswith("satur"):
        return "oxigeno"
    return None


def scalar(v, name):
    """The number a signal's media/desv stands for: systolic for a [sis, dia] list or a dict."""
    if is_num(v):
        return float(v)
    if isinstance(v, list) and v and is_num(v[0]):
        return float(v[0])
    if isinstance(v, dict) and v:
        for k, x in v.items():
            if norm(k).startswith("sis") and is_num(x):
                return float(x)
        x = next(iter(v.values()))
        return float(x) if is_num(x) and name != "presion" else None
    return None


def signals(datos):
    """{'frecuencia': {'media': float, 'desv': float}, ...} or None if any signal is missing."""
    if not isinstance(datos, dict):
        return None
    out = {}
    for key, v in datos.items():
        name = signal_name(key)
        if name is None or name in out or not isinstance(v, dict):
            continue
        media = desv = None
        for k, x in v.items():
            nk = norm(k)
            if media is None and nk.startswith(("media", "mean", "prom", "avg", "average")):
                media = scalar(x, name)
            elif desv is None and nk.startswith(("desv", "std", "dev", "sd", "sigma")):
                desv = scalar(x, name)
        out[name] = {"media": media, "desv": desv}
    return out if len(out) == 3 else None


def parse_ts(v):
    """Seconds (float) from an ISO-like string or a number; None if unreadable."""
    if is_num(v):
        return float(v)
    if not isinstance(v, str) or len(v) > 64:
        return None
    s = v.strip().replace("Z", "+00:00")
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        for fmt in ("%Y-%m-%d %H:%M:%S.%f", "%d/%m/%Y %H:%M:%S", "%Y/%m/%d %H:%M:%S"):
            try:
                d = datetime.strptime(s, fmt)
                break
            except ValueError:
                pass
        else:
            return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=timezone.utc)  # only differences matter
    return d.timestamp()


def load_chain(path):
    """(blocks, None) or (None, failing finding). Accepts a top-level list (or one list in a dict)."""
    data, err = read_capped(path, MAX_CHAIN_BYTES)
    obj = None
    if data is not None:
        obj, err = parse_json(data)
    if err:
        name = os.path.basename(path)
        return None, finding("chain_file", "fail", 2, f"{name}: {err[0]}.", f"{name}: {err[1]}.",
                             file=path)
    if isinstance(obj, dict):
        lists = [v for v in obj.values() if isinstance(v, list)]
        obj = lists[0] if len(lists) == 1 else obj
    if not isinstance(obj, list):
        return None, finding(
            "chain_file", "fail", 2,
            "blockchain.json must hold a JSON list of blocks: [ {block 0}, {block 1}, ... ].",
            "blockchain.json tiene que contener una lista JSON de bloques: [ {bloque 0}, {bloque 1}, ... ].",
            file=path)
    for i, b in enumerate(obj):
        if not isinstance(b, dict):
            return None, finding(
                "chain_file", "fail", 2,
                f"Element {i} of the list is not a block (a JSON object with keys).",
                f"El elemento {i} de la lista no es un bloque (un objeto JSON con claves).",
                file=path, index=i)
    return obj, None


def block_signals(block):
    return signals(next((block[k] for k in DATA_KEYS if k in block), None))


def has_genesis(blocks):
    """An explicit genesis block: the first has no signal data, the second has."""
    return len(blocks) > 1 and block_signals(blocks[0]) is None and block_signals(blocks[1]) is not None


def find_file(dirs, name):
    """The shallowest regular file called `name` under any of `dirs` (searched in order)."""
    for top in dirs:
        best, seen = None, 0
        for root, subdirs, files in os.walk(top, followlinks=False):
            depth = os.path.relpath(root, top).count(os.sep)
            subdirs[:] = sorted(d for d in subdirs if d not in ("__pycache__", ".git", "venv", ".venv"))
            if depth >= 4:
                subdirs[:] = []
            seen += len(files) + len(subdirs)
            if name in files and os.path.isfile(os.path.join(root, name)) \
                    and not os.path.islink(os.path.join(root, name)):
                cand = (depth, os.path.join(root, name))
                best = min(best, cand) if best else cand
            if seen > MAX_WALK_ENTRIES:
                break
        if best:
            return best[1]
    return None


# ---------------------------------------------------------------- hash formulas

def pyrepr(obj, tuples=False, np2=False):
    """str() of the object as Python prints it; optionally lists as tuples, floats as NumPy 2."""
    if isinstance(obj, float) and np2:
        return f"np.float64({obj!r})"
    if isinstance(obj, list):
        inner = ", ".join(pyrepr(x, tuples, np2) for x in obj)
        if tuples:
            return "(" + inner + ("," if len(obj) == 1 else "") + ")"
        return "[" + inner + "]"
    if isinstance(obj, dict):
        return "{" + ", ".join(f"{pyrepr(k, tuples, np2)}: {pyrepr(v, tuples, np2)}"
                               for k, v in obj.items()) + "}"
    return repr(obj)


def serialisers():
    """[(label with X for the object, function)], the statement's str() first."""
    out = [("str(X)", pyrepr),
           ("str(X) [lists as tuples]", lambda o: pyrepr(o, tuples=True)),
           ("str(X) [NumPy 2 floats: np.float64(...)]", lambda o: pyrepr(o, np2=True))]
    for sort, compact, ascii_ in itertools.product((True, False), (False, True), (True, False)):
        args = (["sort_keys=True"] if sort else []) + (["separators=(',', ':')"] if compact else []) \
            + ([] if ascii_ else ["ensure_ascii=False"])
        kw = {"sort_keys": sort, "ensure_ascii": ascii_, "separators": (",", ":") if compact else None}
        out.append((f"json.dumps({', '.join(['X'] + args)})",
                    lambda o, kw=kw: json.dumps(o, **kw)))
    for sort, indent in itertools.product((True, False), (2, 4)):
        args = (["sort_keys=True"] if sort else []) + [f"indent={indent}"]
        out.append((f"json.dumps({', '.join(['X'] + args)})",
                    lambda o, s=sort, n=indent: json.dumps(o, sort_keys=s, indent=n)))
    return out


SERIALISERS = serialisers()
GENESIS_PREV = ("", "None", "0", "0" * 64, "null")  # tried for a genesis prev_hash of null
GENESIS_NAMES = {"explicit genesis block": ("an explicit genesis block", "un bloque génesis explícito"),
                 "zeros": ("a string of zeros", "una cadena de ceros"), "null": ("null", "null"),
                 "empty": ("an empty string", "una cadena vacía"), "other": ("a fixed value", "un valor fijo")}


def candidates(prev_key):
    """Every formula tried: (label, kind, params). The statement's formula comes first."""
    out = []
    token = {"P": prev_key, "T": "timestamp", "I": "str(index)",
             "Ap": "str(alerta)", "Aj": "json.dumps(alerta)"}
    orders = [o for o in itertools.permutations("PDT")]
    parts = [(o, sep) for o in orders for sep in ("", "|", ",", ";", " ", "-", ":", "\n")]
    parts += [(o, "") for o in itertools.permutations(("P", "D", "T", "Ap"))]
    parts += [(o, "") for o in itertools.permutations(("P", "D", "T", "Aj"))]
    parts += [(("I",) + o, "") for o in orders]
    for si, (slabel, _) in enumerate(SERIALISERS):
        for order, sep in parts:
            names = [slabel.replace("X", "datos") if t == "D" else token[t] for t in order]
            label = f"sha256({(' + ' + json.dumps(sep) + ' + ' if sep else ' + ').join(names)})"
            out.append((label, "parts", (si, order, sep)))
    for si, (slabel, _) in enumerate(SERIALISERS):
        for drop, what in ((("hash",), 'k != "hash"'), (("hash",) + INDEX_KEYS, 'k not in ("hash", "index")')):
            x = f"{{k: v for k, v in bloque.items() if {what}}}"
            out.append((f"sha256({slabel.replace('X', x)})", "block", (si, drop, None)))
        x = '{**bloque, "hash": ""}'
        out.append((f"sha256({slabel.replace('X', x)})", "block", (si, ("hash",), "")))
    return out


class BlockView:
    """What the formulas need from one block, with serialisations cached."""

    def __init__(self, block, pos, prev_key, hash_key):
        self.block, self.pos, self.hash_key = block, pos, hash_key
        self.stored = str(block.get(hash_key, "")).lower()
        prev = block.get(prev_key)
        self.prevs = GENESIS_PREV if prev is None else (str(prev),)
        ts = next((block[k] for k in TS_KEYS if k in block), "")
        self.ts = ts if isinstance(ts, str) else pyrepr(ts)
        self.datos = next((block[k] for k in DATA_KEYS if k in block), None)
        alert = next((block[k] for k in ALERT_KEYS if k in block), None)
        idx = next((block[k] for k in INDEX_KEYS if k in block), pos)
        self.tok = {"T": self.ts, "I": str(idx), "Ap": str(alert), "Aj": json.dumps(alert)}
        self._cache = {}

    def ser(self, si, key, obj):
        if (si, key) not in self._cache:
            try:
                self._cache[(si, key)] = SERIALISERS[si][1](obj)
            except (TypeError, ValueError, RecursionError):
                self._cache[(si, key)] = None
        return self._cache[(si, key)]

    def matches(self, kind, params):
        """The genesis prev value that made it match ('' if not genesis), or None."""
        si, a, b = params
        if kind == "block":
            obj = {k: v for k, v in self.block.items() if k not in a}
            if b is not None:
                obj = dict(self.block, **{self.hash_key: b})
            s = self.ser(si, ("block", a, b), obj)
            ok = s is not None and hashlib.sha256(s.encode()).hexdigest() == self.stored
            return "" if ok else None
        d = self.ser(si, "datos", self.datos)
        if d is None:
            return None
        for p in self.prevs:
            tok = dict(self.tok, P=p, D=d)
            s = b.join(tok[t] for t in a)
            if hashlib.sha256(s.encode("utf-8", "surrogatepass")).hexdigest() == self.stored:
                return p
        return None


def check_hashes(views, prev_key, genesis_view):
    """Finds a formula that validates every data block; else the best one and where it breaks."""
    cands = candidates(prev_key)
    head = views[:HEAD_BLOCKS]  # only formulas that fit one of the first blocks are followed further
    live = [c for c in cands if any(v.matches(c[1], c[2]) is not None for v in head)]
    scores = [(0, 0, 0, cands[0][0], [False] * len(views))]
    for label, kind, params in live:
        ok = [v.matches(kind, params) is not None for v in views]
        if all(ok):
            g = genesis_view and genesis_view.matches(kind, params) is not None
            return finding("hash_formula", "pass", 2,
                           f"Every block's hash matches {label}.",
                           f"El hash de cada bloque coincide con {label}.",
                           formula=label, tried=len(cands),
                           genesis_matches=g if genesis_view else None)
        prefix = next((i for i, x in enumerate(ok) if not x), len(ok))
        scores.append((prefix, sum(ok), -len(scores), label, ok))
    prefix, total, _, label, ok = max(scores)
    if total == 0:
        return finding(
            "hash_formula", "fail", 2,
            f"No hash of the first blocks could be recomputed. We tried the statement's {label} and "
            f"{len(cands) - 1} common variants (json.dumps, other orders and separators). Check that "
            "you hash exactly what you store, and store the hexdigest().",
            f"No se pudo recalcular el hash de los primeros bloques. Probamos la fórmula del enunciado, {label}, y "
            f"{len(cands) - 1} variantes comunes (json.dumps, otros órdenes y separadores). Revisá que "
            "hasheás exactamente lo que guardás, y que guardás el hexdigest().",
            formula=label, tried=len(cands), index=views[0].pos if views else 0)
    bad = views[ok.index(False)].pos
    return finding(
        "hash_formula", "fail", 2,
        f"The hashes follow {label}, but block {bad}'s does not: its content was changed after "
        f"hashing, or it was hashed differently ({total} of {len(views)} blocks match).",
        f"Los hashes siguen la fórmula {label}, pero el del bloque {bad} no: su contenido cambió "
        f"después de calcular el hash, o se calculó distinto ({total} de {len(views)} bloques coinciden).",
        formula=label, index=bad, matching=total, tried=len(cands))


# ---------------------------------------------------------------- alerts

def rule(sig):
    """The statement's alert rule on the window means; None if a mean is missing."""
    f, p, o = (sig[s]["media"] for s in SIGNALS)
    if f is None or p is None or o is None:
        return None
    return f >= 200 or not 90 <= o <= 100 or p >= 200


def raw_alert_possible(sig, n):
    """Could one raw sample of an n-sample window break the rule, given its mean and std-dev?
    No sample lies farther than desv*sqrt(n-1) from the mean (population or sample std-dev)."""
    def reach(s):
        return (sig[s]["desv"] or 0.0) * math.sqrt(max(n - 1, 0)) + 0.01

    f, p, o = (sig[s]["media"] for s in SIGNALS)
    return f + reach("frecuencia") >= 200 or p + reach("presion") >= 200 \
        or o - reach("oxigeno") < 90 or o + reach("oxigeno") > 100


def check_alerts(views, sigs):
    alerts = [v.block.get(next((k for k in ALERT_KEYS if k in v.block), "alerta")) for v in views]
    pos = [v.pos for v in views]
    bad = [i for i, a in enumerate(alerts) if not isinstance(a, bool)]
    if bad:
        return finding("alert", "fail", 2, f"Block {pos[bad[0]]}'s 'alerta' is not true or false.",
                       f"El campo 'alerta' del bloque {pos[bad[0]]} no es true ni false.", index=pos[bad[0]])
    rules = [rule(s) for s in sigs]
    if all(r == a for r, a in zip(rules, alerts)):
        return finding("alert", "pass", 2,
                       f"'alerta' follows the window means in all blocks ({sum(alerts)} alerts).",
                       f"'alerta' sigue a las medias de la ventana en todos los bloques ({sum(alerts)} alertas).",
                       basis="means", alerts=sum(alerts))
    # A flag never reset: on from a block where the means broke the rule, still on at the end
    # although the means went back in range for several blocks.
    if True in alerts and rules[alerts.index(True)]:
        k = alerts.index(True)
        tail = len(rules) - next((i for i in range(len(rules) - 1, -1, -1) if rules[i]), -1) - 1
        if all(alerts[k:]) and tail >= 3:
            j = pos[len(rules) - tail]
            return finding(
                "alert", "fail", 2,
                f"From block {j} on the window means are back in range, but 'alerta' stays true "
                f"until the last block: the flag is never reset (compute it anew for every block).",
                f"Desde el bloque {j} las medias de la ventana vuelven al rango normal, pero 'alerta' sigue "
                f"en true hasta el último bloque: la bandera nunca se reinicia (calculala de nuevo en cada bloque).",
                index=j, basis="sticky")
    for i, (r, a) in enumerate(zip(rules, alerts)):
        if a and r is False and not raw_alert_possible(sigs[i], i + 1):
            return finding(
                "alert", "fail", 2,
                f"Block {pos[i]} has 'alerta': true, but neither its window means nor any single "
                f"sample that fits them (given the std-dev) break the rule of the statement.",
                f"El bloque {pos[i]} tiene 'alerta': true, pero ni sus medias ni ninguna muestra "
                f"compatible con ellas (dada la desviación) rompe la regla del enunciado.",
                index=pos[i], basis="inconsistent")
        if r and not any(alerts[:i + 1]):
            return finding(
                "alert", "fail", 2,
                f"Block {pos[i]}'s window means break the rule (so some sample in its window did too), "
                f"but no block up to it has 'alerta': true.",
                f"Las medias del bloque {pos[i]} rompen la regla (así que alguna muestra de su ventana "
                f"también), pero ningún bloque hasta ahí tiene 'alerta': true.",
                index=pos[i], basis="inconsistent")
    return finding("alert", "note", 2,
                   "'alerta' does not always follow the window means; it is consistent with an alert "
                   "on the raw sample (or other thresholds), which we cannot check exactly.",
                   "'alerta' no siempre sigue a las medias de la ventana; es compatible con una alerta "
                   "sobre la muestra cruda (u otros umbrales), que no podemos comprobar con exactitud.",
                   basis="raw_or_other", alerts=sum(alerts))


# ---------------------------------------------------------------- the chain

def check_chain(path, snapshots=None):
    blocks, bad = load_chain(path)
    if bad:
        return result("chain", {"file": path}, [bad])
    fs = []
    prev_key = max(PREV_KEYS, key=lambda k: (sum(k in b for b in blocks), -PREV_KEYS.index(k)))
    hash_key = max(HASH_KEYS, key=lambda k: (sum(k in b for b in blocks), -HASH_KEYS.index(k)))
    genesis = has_genesis(blocks)
    data = blocks[1:] if genesis else blocks
    off = 1 if genesis else 0
    summary = {"file": path, "blocks": len(blocks), "data_blocks": len(data), "prev_key": prev_key,
               "hash_key": hash_key, "explicit_genesis": genesis}

    n = len(data)
    ok = n == EXPECTED_BLOCKS
    extra = " (plus a genesis block)" if genesis else ""
    extra_es = " (más un bloque génesis)" if genesis else ""
    fs.append(finding("block_count", "pass" if ok else "fail", 1,
                      f"{n} data blocks{extra}; expected {EXPECTED_BLOCKS}, one per sample.",
                      f"{n} bloques de datos{extra_es}; se esperaban {EXPECTED_BLOCKS}, uno por muestra.",
                      count=n, expected=EXPECTED_BLOCKS))
    if not data:
        return result("chain", summary, fs)

    # Structure: every data block has its keys and three signals with numeric media and desv.
    sigs, structure_ok = [], True
    for i, b in enumerate(data, off):
        missing = [name for name, keys in (("timestamp", TS_KEYS), ("datos", DATA_KEYS),
                                           ("alerta", ALERT_KEYS), (prev_key, (prev_key,)),
                                           (hash_key, (hash_key,))) if first_key(b, keys) is None]
        s = block_signals(b)
        if missing or s is None or any(s[x][m] is None for x in SIGNALS for m in ("media", "desv")):
            what = ", ".join(missing) if missing else "datos: frecuencia/presion/oxigeno with media and desv"
            what_es = ", ".join(missing) if missing else "datos: frecuencia/presion/oxigeno con media y desv"
            fs.append(finding("structure", "fail", 2, f"Block {i} lacks {what}.",
                              f"Al bloque {i} le falta {what_es}.", index=i))
            structure_ok = False
            break
        sigs.append(s)
    if structure_ok:
        fs.append(finding("structure", "pass", 2, "Every block has the statement's keys.",
                          "Todos los bloques tienen las claves del enunciado."))
        neg = next(((i, x) for i, s in enumerate(sigs, off) for x in SIGNALS if s[x]["desv"] < 0), None)
        fs.append(finding("std_dev", "fail" if neg else "pass", 1,
                          f"Block {neg[0]}: {neg[1]}'s desv is negative." if neg else "Every desv is >= 0.",
                          f"Bloque {neg[0]}: la desv de {neg[1]} es negativa." if neg else "Toda desv es >= 0.",
                          **({"index": neg[0]} if neg else {})))

    # Timestamps: readable, distinct, increasing.
    ts = [parse_ts(next((b[k] for k in TS_KEYS if k in b), None)) for b in data]
    unreadable = next((i for i, t in enumerate(ts) if t is None), None)
    if unreadable is not None:
        fs.append(finding("timestamps", "fail", 1,
                          f"Block {unreadable + off}'s timestamp is not a date like 2025-09-01T10:00:00.",
                          f"El timestamp del bloque {unreadable + off} no es una fecha como 2025-09-01T10:00:00.",
                          index=unreadable + off))
    else:
        back = next((i for i in range(1, n) if ts[i] <= ts[i - 1]), None)
        gaps = sorted(ts[i] - ts[i - 1] for i in range(1, n))
        median = gaps[len(gaps) // 2] if gaps else None
        if back is not None:
            same = ts[back] == ts[back - 1]
            fs.append(finding(
                "timestamps", "fail", 1,
                f"Blocks {back - 1 + off} and {back + off} have "
                + ("the same timestamp" if same else "timestamps going backwards")
                + ": one sample per second gives distinct, increasing timestamps.",
                f"Los bloques {back - 1 + off} y {back + off} tienen "
                + ("el mismo timestamp" if same else "timestamps que retroceden")
                + ": una muestra por segundo da timestamps distintos y crecientes.",
                index=back + off, median_gap_s=median))
        else:
            fs.append(finding("timestamps", "pass", 1,
                              f"Timestamps distinct and increasing (median gap {median} s).",
                              f"Timestamps distintos y crecientes (separación mediana {median} s).",
                              median_gap_s=median))

    # Linkage.
    g = blocks[0].get(prev_key)
    summary["genesis_prev"] = ("explicit genesis block" if genesis else
                               "zeros" if isinstance(g, str) and g and set(g) == {"0"} else
                               "null" if g is None else "empty" if g == "" else "other")
    broken = next((i for i in range(1, len(blocks)) if blocks[i].get(prev_key) != blocks[i - 1].get(hash_key)
                   or not isinstance(blocks[i].get(prev_key), str)), None)
    if broken is not None:
        fs.append(finding(
            "linkage", "fail", 2,
            f"Block {broken}'s {prev_key} is not block {broken - 1}'s {hash_key}: the chain is broken there.",
            f"El {prev_key} del bloque {broken} no es el {hash_key} del bloque {broken - 1}: ahí se corta la cadena.",
            index=broken, key=prev_key))
    else:
        fs.append(finding("linkage", "pass", 2,
                          f"Each block's {prev_key} is the previous block's {hash_key} "
                          f"(genesis: {GENESIS_NAMES[summary['genesis_prev']][0]}).",
                          f"El {prev_key} de cada bloque es el {hash_key} del anterior "
                          f"(génesis: {GENESIS_NAMES[summary['genesis_prev']][1]}).", key=prev_key))

    views = [BlockView(b, i, prev_key, hash_key) for i, b in enumerate(data, off)]
    not_hex = next((v.pos for v in views if not re.fullmatch(r"[0-9a-f]{64}", v.stored)), None)
    if not_hex is not None:
        fs.append(finding("hash_formula", "fail", 2,
                          f"Block {not_hex}'s {hash_key} is not a SHA-256 hexdigest (64 hex characters).",
                          f"El {hash_key} del bloque {not_hex} no es un hexdigest SHA-256 (64 caracteres hex).",
                          index=not_hex))
    else:
        gview = BlockView(blocks[0], 0, prev_key, hash_key) if genesis else None
        fs.append(check_hashes(views, prev_key, gview))
        summary["formula"] = fs[-1].get("formula")
    if structure_ok:
        fs.append(check_alerts(views, sigs))
        summary["alerts"] = sum(1 for v in views if v.block.get(first_key(v.block, ALERT_KEYS)) is True)
    if snapshots:
        fs.append(check_snapshots(snapshots, len(blocks)))
    return result("chain", summary, fs)


def check_snapshots(folder, final_count):
    """Copies of blockchain.json taken during the run: did it grow while the program ran?"""
    try:
        names = sorted(os.listdir(folder), key=lambda s: [int(t) if t.isdigit() else t
                                                           for t in re.split(r"(\d+)", s)])
    except OSError:
        names = []
    counts, torn = [], 0
    for name in names[:MAX_SNAPSHOTS]:
        data, err = read_capped(os.path.join(folder, name), MAX_CHAIN_BYTES)
        obj = parse_json(data)[0] if data else None
        if isinstance(obj, list):
            counts.append(len(obj))
        elif data:
            torn += 1
    partial = [c for c in counts if 0 < c < final_count]
    shrank = any(b < a for a, b in zip(counts, counts[1:]))
    details = {"snapshots": len(names), "block_counts": counts, "unreadable": torn}
    if partial:
        note = (" Some copies were half-written JSON: writing to a temporary file and os.replace() "
                "avoids that." if torn else "")
        note_es = (" Algunas copias eran JSON a medio escribir: escribir a un temporal y usar "
                   "os.replace() lo evita." if torn else "")
        return finding("rewritten", "pass", 2,
                       f"blockchain.json grew during the run ({counts[0]} to {counts[-1]} blocks)." + note,
                       f"blockchain.json creció durante la ejecución ({counts[0]} a {counts[-1]} bloques)." + note_es,
                       shrank=shrank, **details)
    return finding("rewritten", "fail", 2,
                   "blockchain.json was never seen half-way during the run: it must be rewritten every "
                   "second (after each block), not only at the end.",
                   "Durante la ejecución nunca se vio blockchain.json a medio camino: hay que reescribirlo "
                   "cada segundo (después de cada bloque), no solo al final.", **details)


# ---------------------------------------------------------------- the report

NUM = re.compile(r"-?\d+(?:[.,]\d+)?")
CATEGORIES = (  # checked in this order; the first that matches a line wins
    ("corrupt", ("corrupt", "invalid", "inval", "error", "alterad", "indice", "integr")),
    ("alerts", ("alert", "alarma")),
    ("frecuencia", ("frec", "bpm", "heart", "pulso", "ritmo")),
    ("presion", ("pres", "sistol", "tension")),
    ("oxigeno", ("oxi", "oxy", "spo2", "saturac")),
    ("blocks", ("bloque", "block", "total")),
)


def report_lines(text):
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return text.splitlines()[:2000]
    lines = []

    def walk(prefix, o):
        if isinstance(o, dict):
            for k, v in list(o.items())[:500]:
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        else:
            lines.append(f"{prefix}: {o}")
    walk("", obj)
    return lines


def number_in(line, keyword):
    """The number a report line gives: after its last ':' or '=', else after the keyword."""
    cut = max(line.rfind(":"), line.rfind("="))
    rest = line[cut + 1:] if cut >= 0 else line[line.find(keyword) + len(keyword):]
    m = NUM.search(rest) or NUM.search(line)
    return float(m.group().replace(",", ".")) if m else None


def check_report(chain_path, report_path):
    blocks, bad = load_chain(chain_path)
    if bad:
        return result("report", {}, [bad])
    text, err = read_text(report_path)
    if text is None:
        return result("report", {}, [finding("report_file", "fail", 3, f"reporte.txt: {err[0]}.",
                                             f"reporte.txt: {err[1]}.")])
    data = blocks[1:] if has_genesis(blocks) else blocks
    sigs = [block_signals(b) for b in data]
    expected = {"blocks": {len(data), len(blocks)},
                "alerts": {sum(1 for b in data if b.get(first_key(b, ALERT_KEYS) or "alerta") is True)}}
    for s in SIGNALS:
        vals = [x[s]["media"] for x in sigs if x and x[s]["media"] is not None]
        if vals:
            expected[s] = {sum(vals) / len(vals)}
    found = {c: [] for c, _ in CATEGORIES}
    for line in report_lines(text):
        nl = norm(line)
        for cat, keys in CATEGORIES:
            kw = next((k for k in keys if k in nl), None)
            if kw:
                v = number_in(nl, kw)
                if v is not None:
                    found[cat].append((v, line.strip()[:200]))
                break
    names = {"blocks": ("total blocks", "total de bloques", "bloques"),
             "alerts": ("blocks with alerts", "bloques con alerta", "alerta"),
             "frecuencia": ("average frecuencia", "promedio de frecuencia", "frecuencia"),
             "presion": ("average presión", "promedio de presión", "presion"),
             "oxigeno": ("average oxígeno", "promedio de oxígeno", "oxigeno")}
    fs = []
    for cat, want in expected.items():
        en, es, word = names[cat]
        got = found[cat]
        tol = 0.01 if cat in ("blocks", "alerts") else TOLERANCE
        good = next(((v, l) for v, l in got if any(abs(v - w) <= tol for w in want)), None)
        shown = ", ".join(f"{w:g}" if isinstance(w, int) else f"{w:.2f}" for w in sorted(want))
        if good:
            fs.append(finding(f"report_{cat}", "pass", 3, f"{en}: {good[0]:g} matches the chain.",
                              f"{es}: {good[0]:g} coincide con la cadena.", reported=good[0], line=good[1]))
        elif got:
            fs.append(finding(f"report_{cat}", "fail", 3,
                              f"{en}: the report says {got[0][0]:g} («{got[0][1]}»), but blockchain.json gives {shown}.",
                              f"{es}: el reporte dice {got[0][0]:g} («{got[0][1]}»), pero blockchain.json da {shown}.",
                              reported=got[0][0], expected=shown, line=got[0][1]))
        else:
            fs.append(finding(f"report_{cat}", "fail", 3,
                              f"{en}: not found (we look for a line with the word '{word}' and a number; "
                              f"expected {shown}).",
                              f"{es}: no lo encontramos (buscamos una línea con la palabra '{word}' y un número; "
                              f"se esperaba {shown}).", expected=shown))
    return result("report", {"data_blocks": len(data)}, fs)


# ---------------------------------------------------------------- the student's verifier

FLAG_WORDS = ("corrupt", "invalid", "alterad", "modificad", "manipulad", "no coincide", "no corresponde",
              "no es valid", "no valid", "incorrect", "mismatch", "tamper", "roto", "rota ", "fallid",
              "error", "✗", "❌")
CLEAR_WORDS = ("ningun", "ninguna", "sin ", "no se encontr", "no hay", "none", "no corrupt", "cero",
               "todos los bloques son valid", "0 bloque", "valida", "integra")


def flags_problem(line):
    nl = norm(line)
    if not any(w in nl for w in FLAG_WORDS):
        return False
    if any(w in nl for w in CLEAR_WORDS) and "invalid" not in nl:
        return False
    if re.search(r"\b(bloque|block)\s*(#|n[o°º]\.?)?\s*\d", nl):  # names a block: "Bloque 0 corrupto"
        return True
    nums = NUM.findall(nl)
    return not (nums and all(float(x.replace(",", ".")) == 0 for x in nums))


TRACEBACK = re.compile(r'^(Traceback \(most recent call last\)|File "|[\w.]*(Error|Exception)\b)')


def check_verifier(a):
    texts = {}
    for key in ("clean_stdout", "clean_report", "tampered_stdout", "tampered_report"):
        t, _ = read_text(getattr(a, key)) if getattr(a, key) else (None, None)
        texts[key] = [l.strip() for l in (t or "").splitlines() if l.strip()][:5000]
    clean = texts["clean_stdout"] + texts["clean_report"]
    tampered = texts["tampered_stdout"] + texts["tampered_report"]
    n = a.tampered_index
    fs = []
    flagged = [l for l in clean if flags_problem(l)]
    if flagged:
        fs.append(finding("verifier_clean", "fail", 3,
                          f"On the untouched chain your verifier already reports a problem: «{flagged[0][:160]}». "
                          "Does it hash exactly like main.py (same serialisation, same order)?",
                          f"Sobre la cadena intacta tu verificador ya informa un problema: «{flagged[0][:160]}». "
                          "¿Calcula el hash exactamente igual que main.py (misma serialización, mismo orden)?",
                          line=flagged[0][:200]))
    else:
        fs.append(finding("verifier_clean", "pass", 3, "On the untouched chain it reports no problem.",
                          "Sobre la cadena intacta no informa problemas."))
    left = list(clean)
    new = []
    for l in tampered:
        if l in left:
            left.remove(l)
        else:
            new.append(l)
    new = [l for l in new if not TRACEBACK.match(l)]  # a crash is not a detection
    mentions_n = [l for l in new if {str(n), str(n + 1)} & set(re.findall(r"\d+", l))]
    evidence = next((l for l in new if flags_problem(l)), None) or (mentions_n[0] if mentions_n else None)
    if evidence:
        fs.append(finding("verifier_detects", "pass", 3,
                          f"With block {n}'s datos altered, it says: «{evidence[:160]}».",
                          f"Con los datos del bloque {n} alterados, dice: «{evidence[:160]}».", line=evidence[:200]))
    elif flagged:
        fs.append(finding("verifier_detects", "fail", 3,
                          f"It already reports problems on the untouched chain, and with block {n}'s datos "
                          f"altered it says nothing new about block {n}: it cannot tell the two apart.",
                          f"Ya informa problemas sobre la cadena intacta, y con los datos del bloque {n} "
                          f"alterados no dice nada nuevo del bloque {n}: no distingue una de otra.", index=n))
    elif new or left:
        fs.append(finding("verifier_detects", "fail", 3,
                          f"With block {n}'s datos altered the output changes, but says neither that a block is "
                          f"corrupt nor which one. Print the index of each corrupt block.",
                          f"Con los datos del bloque {n} alterados la salida cambia, pero no dice que haya un bloque "
                          f"corrupto ni cuál. Imprimí el índice de cada bloque corrupto.", index=n))
    else:
        fs.append(finding("verifier_detects", "fail", 3,
                          f"We changed a number in block {n}'s datos and your verifier printed exactly the same "
                          "as on the untouched chain: it does not recompute the hashes (or never runs).",
                          f"Cambiamos un número en los datos del bloque {n} y tu verificador imprimió exactamente "
                          "lo mismo que con la cadena intacta: no recalcula los hashes (o nunca se ejecuta).",
                          index=n))
    return result("verifier", {"tampered_index": n, "new_lines": len(new)}, fs)


# ---------------------------------------------------------------- tamper

def tamper(chain_path, out_path, index=None):
    blocks, bad = load_chain(chain_path)
    if bad:
        return result("tamper", {}, [bad])
    if not blocks:
        return result("tamper", {}, [finding("tamper", "fail", 3, "The chain is empty.", "La cadena está vacía.")])
    i = index if index is not None else max(1, len(blocks) * 2 // 3)
    i = min(max(i, 0), len(blocks) - 1)
    key = first_key(blocks[i], DATA_KEYS) or "datos"
    path, old, new = None, None, None
    stack = [((key,), blocks[i].get(key))]
    while stack and path is None:  # depth-first, in key order: the first number found
        p, o = stack.pop(0)
        if is_num(o):
            path, old = p, o
        elif isinstance(o, dict):
            stack[:0] = [(p + (k,), v) for k, v in o.items()]
        elif isinstance(o, list):
            stack[:0] = [(p + (j,), v) for j, v in enumerate(o)]
    if path is None:
        blocks[i][key] = {"alterado": True, "antes": blocks[i].get(key)}
    else:
        new = old + 1 if isinstance(old, int) else round(old + 1.0, 6)
        o = blocks[i]
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = new
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(blocks, f, indent=2, ensure_ascii=False)
    where = ".".join(map(str, path)) if path else key
    return result("tamper", {"index": i, "field": where, "old": old, "new": new, "out": out_path},
                  [finding("tamper", "note", 3, f"Block {i}: {where} changed from {old} to {new}.",
                           f"Bloque {i}: {where} cambió de {old} a {new}.", index=i)])


# ---------------------------------------------------------------- command line

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("chain")
    c.add_argument("--out", action="append", default=[], help="folder to search for blockchain.json")
    c.add_argument("--chain", help="the file itself")
    c.add_argument("--snapshots", help="folder of copies of blockchain.json taken during the run")
    r = sub.add_parser("report")
    r.add_argument("--chain", required=True)
    r.add_argument("--report", required=True)
    v = sub.add_parser("verifier")
    for k in ("clean-stdout", "clean-report", "tampered-stdout", "tampered-report"):
        v.add_argument("--" + k)
    v.add_argument("--tampered-index", type=int, required=True)
    t = sub.add_parser("tamper")
    t.add_argument("--chain", required=True)
    t.add_argument("--out", required=True)
    t.add_argument("--index", type=int)
    a = ap.parse_args(argv)

    if a.cmd == "chain":
        path = a.chain or find_file(a.out, "blockchain.json")
        if not path:
            res = result("chain", {"searched": a.out}, [finding(
                "chain_file", "fail", 2, "No blockchain.json was written (we searched the run's folders).",
                "No se escribió ningún blockchain.json (lo buscamos en las carpetas de la ejecución).")])
        else:
            res = check_chain(path, a.snapshots)
    elif a.cmd == "report":
        res = check_report(a.chain, a.report)
    elif a.cmd == "verifier":
        res = check_verifier(a)
    else:
        res = tamper(a.chain, a.out, a.index)
    print(json.dumps(res, ensure_ascii=False, indent=2))
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
