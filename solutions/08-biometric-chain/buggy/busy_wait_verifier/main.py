# expect: busy_wait
# 'busy_wait' is a proposed verdict name: carrera has none for a program that ends but spins.
# Bug: the verifier polls Queue.empty() in a loop instead of blocking in get(): the results are
# right, but it burns a whole CPU core for the 60 seconds of the run.
"""TP1: la solución de referencia con un error (descrito arriba).

Procesos: el principal (generador), tres analizadores (frecuencia, presion, oxigeno) y un
verificador. Generador -> analizadores: un Pipe por analizador. Analizadores -> verificador: una
Queue compartida; cada resultado dice de qué analizador viene ("tipo").

Se corre desde esta carpeta: `python3 main.py`. Escribe blockchain.json aquí mismo.
"""
import hashlib
import json
import multiprocessing
import os
import random
import statistics
import time
from collections import deque
from datetime import datetime

MUESTRAS = 60
VENTANA = 30
ARCHIVO = "blockchain.json"
GENESIS = "0" * 64
TIPOS = ("frecuencia", "presion", "oxigeno")
# Con los rangos del enunciado la alerta nunca puede dispararse. Para que se vea, las muestras
# 10 a 24 simulan una desaturación (oxígeno 78-84): la media de la ventana baja de 90 un rato.
EPISODIO = range(10, 25)


def generar_muestra(i):
    oxigeno = random.randint(78, 84) if i in EPISODIO else random.randint(90, 100)
    return {
        "timestamp": datetime.now().strftime("%Y-%m-%dT%H:%M:%S"),
        "frecuencia": random.randint(60, 180),
        "presion": [random.randint(110, 180), random.randint(70, 110)],
        "oxigeno": oxigeno,
    }


def extraer(tipo, muestra):
    if tipo == "presion":
        return muestra["presion"][0]  # la sistólica: es la que usa la regla de alerta
    return muestra[tipo]


def analizador(tipo, lectura, escrituras, cola):
    # Con fork, este hijo heredó una copia de CADA extremo de escritura. Un Pipe da EOF recién
    # cuando se cerraron todas las copias: si no las cerramos, recv() esperaría para siempre.
    for w in escrituras:
        w.close()
    ventana = deque(maxlen=VENTANA)
    try:
        while True:
            try:
                muestra = lectura.recv()  # bloquea sin gastar CPU hasta que haya dato o EOF
            except EOFError:  # el generador cerró su extremo: no hay más muestras
                break
            ventana.append(extraer(tipo, muestra))
            cola.put({
                "tipo": tipo,
                "timestamp": muestra["timestamp"],
                "media": round(statistics.fmean(ventana), 2),
                "desv": round(statistics.pstdev(ventana), 2),
            })
    finally:
        lectura.close()
        cola.put(None)  # marca de fin: una Queue no tiene EOF, así que avisamos explícitamente


def hay_alerta(datos):
    return (datos["frecuencia"]["media"] >= 200
            or not 90 <= datos["oxigeno"]["media"] <= 100
            or datos["presion"]["media"] >= 200)


def calcular_hash(prev_hash, datos, timestamp):
    # La fórmula del enunciado. str(datos) depende del orden de las claves: TIPOS lo fija.
    return hashlib.sha256((prev_hash + str(datos) + timestamp).encode("utf-8")).hexdigest()


def guardar(cadena):
    # Se escribe a un temporal y se reemplaza: quien lea el archivo nunca ve uno a medio escribir.
    temporal = ARCHIVO + ".tmp"
    with open(temporal, "w", encoding="utf-8") as f:
        json.dump(cadena, f, indent=2, ensure_ascii=False)
    os.replace(temporal, ARCHIVO)


def verificador(cola):
    cadena = []
    pendientes = {}  # timestamp -> {tipo: resultado}; se agrupa por timestamp, no por llegada
    fines = 0
    while fines < len(TIPOS):
        if cola.empty():
            continue
        resultado = cola.get()
        if resultado is None:
            fines += 1
            continue
        grupo = pendientes.setdefault(resultado["timestamp"], {})
        grupo[resultado["tipo"]] = resultado
        if len(grupo) < len(TIPOS):
            continue
        timestamp = resultado["timestamp"]
        del pendientes[timestamp]
        datos = {t: {"media": grupo[t]["media"], "desv": grupo[t]["desv"]} for t in TIPOS}
        prev_hash = cadena[-1]["hash"] if cadena else GENESIS
        alerta = hay_alerta(datos)
        bloque = {
            "timestamp": timestamp,
            "datos": datos,
            "alerta": alerta,
            "prev_hash": prev_hash,
            "hash": calcular_hash(prev_hash, datos, timestamp),
        }
        cadena.append(bloque)
        guardar(cadena)  # una vez por bloque, es decir, una vez por segundo
        print(f"Bloque {len(cadena) - 1:2d}  hash {bloque['hash'][:16]}...  "
              f"alerta: {'SÍ' if alerta else 'no'}", flush=True)
    if pendientes:
        print(f"Aviso: {len(pendientes)} muestras quedaron incompletas", flush=True)


def main():
    cola = multiprocessing.Queue()
    # El verificador arranca antes de crear los Pipes: así, con fork, no hereda ninguno.
    proc_verificador = multiprocessing.Process(target=verificador, args=(cola,), name="verificador")
    proc_verificador.start()

    pipes = [multiprocessing.Pipe(duplex=False) for _ in TIPOS]  # (lectura, escritura)
    escrituras = [w for _, w in pipes]
    analizadores = []
    for tipo, (lectura, _) in zip(TIPOS, pipes):
        p = multiprocessing.Process(target=analizador, args=(tipo, lectura, escrituras, cola),
                                    name=tipo)
        p.start()
        analizadores.append(p)
    for lectura, _ in pipes:
        lectura.close()  # el padre solo escribe

    try:
        for i in range(MUESTRAS):
            muestra = generar_muestra(i)
            for w in escrituras:
                w.send(muestra)
            time.sleep(1)
    finally:
        for w in escrituras:
            w.close()  # EOF para los analizadores: es la marca de fin de los Pipes
        for p in analizadores:
            p.join()
        proc_verificador.join()
        cola.close()
        cola.join_thread()


if __name__ == "__main__":
    main()
