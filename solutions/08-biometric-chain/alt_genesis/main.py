#!/usr/bin/env python3
# TP1: análisis biométrico concurrente con una cadena de bloques local.
# expect: pass
# Uso: python3 main.py   (escribe salida/blockchain.json; ver README.md)
"""Generador (proceso principal) -> 3 analizadores -> verificador.

- Generador -> analizadores: un Pipe (de una sola dirección) por analizador.
  Fin: se envía None y además se cierra el extremo de escritura (EOFError).
- Analizadores -> verificador: una Queue por analizador, con None como fin.
- El verificador agrupa los resultados por timestamp y arma los bloques.
- La cadena empieza con un bloque GÉNESIS sin datos (61 bloques en total).
"""
import hashlib
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import time
from collections import deque
from datetime import datetime

DIR_BASE = os.path.dirname(os.path.abspath(__file__))
DIR_SALIDA = os.path.join(DIR_BASE, "salida")
RUTA_CADENA = os.path.join(DIR_SALIDA, "blockchain.json")

N_MUESTRAS = 60
VENTANA = 30
ANALIZADORES = ("frecuencia", "presion", "oxigeno")
HASH_CERO = "0" * 64

# Anomalía inyectada a propósito: en las muestras 5..19 (contando desde 0)
# el oxígeno baja a 80-85 %, así la alerta se enciende y después se apaga.
ANOMALIA_OXIGENO = range(5, 20)


# ----------------------------------------------------------------------
# Funciones de la cadena (verificar_cadena.py importa estas mismas)
# ----------------------------------------------------------------------
def calcular_hash(bloque):
    """sha256 del bloque completo SIN la clave "hash", serializado con
    json.dumps(..., sort_keys=True, separators=(",", ":"))."""
    sin_hash = {k: v for k, v in bloque.items() if k != "hash"}
    texto = json.dumps(sin_hash, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


def hay_alerta(datos):
    """Alerta calculada de nuevo para cada bloque a partir de sus medias."""
    if not datos:  # bloque génesis: no tiene datos
        return False
    return (datos["frecuencia"]["media"] >= 200
            or not (90 <= datos["oxigeno"]["media"] <= 100)
            or datos["presion"]["media"] >= 200)


def ahora():
    return datetime.now().strftime("%Y-%m-%dT%H:%M:%S")


def guardar_cadena(cadena, ruta):
    """Reescribe el archivo entero: primero a un temporal y luego os.replace,
    así nadie lee un archivo escrito a medias."""
    carpeta = os.path.dirname(ruta)
    temporal = os.path.join(carpeta, ".blockchain.%d.tmp" % os.getpid())
    with open(temporal, "w", encoding="utf-8") as f:
        json.dump(cadena, f, indent=2, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporal, ruta)


# ----------------------------------------------------------------------
# Procesos hijos (a nivel de módulo, para que funcionen con spawn)
# ----------------------------------------------------------------------
def analizador(nombre, lector, ajenos, cola):
    """Recibe cada muestra completa y manda media y desviación de su señal."""
    # Con fork el hijo hereda copias de TODOS los extremos de todos los
    # pipes: cierro los que no uso, si no, nunca vería EOF.
    for extremo in ajenos:
        extremo.close()
    ventana = deque(maxlen=VENTANA)
    while True:
        try:
            muestra = lector.recv()  # espera bloqueado
        except EOFError:  # se cerraron todas las copias del extremo de escritura
            break
        if muestra is None:  # marca de fin
            break
        valor = muestra[nombre]
        if nombre == "presion":
            valor = valor[0]  # sistólica
        ventana.append(valor)
        media = statistics.mean(ventana)
        # desviación muestral; con una sola muestra no está definida: 0.0
        desv = statistics.stdev(ventana) if len(ventana) > 1 else 0.0
        cola.put({"tipo": nombre, "timestamp": muestra["timestamp"],
                  "media": round(float(media), 2),
                  "desv": round(float(desv), 2)})
    lector.close()
    cola.put(None)  # una Queue no tiene EOF: hace falta la marca


def nuevo_bloque(cadena, timestamp, datos, ruta):
    bloque = {
        "timestamp": timestamp,
        "datos": datos,
        "alerta": hay_alerta(datos),
        "previous_hash": cadena[-1]["hash"] if cadena else HASH_CERO,
    }
    bloque["hash"] = calcular_hash(bloque)
    cadena.append(bloque)
    guardar_cadena(cadena, ruta)
    indice = len(cadena) - 1
    estado = "ALERTA" if bloque["alerta"] else "ok"
    etiqueta = " (génesis)" if not datos else ""
    print("Bloque %2d  %s  %s%s" % (indice, bloque["hash"], estado, etiqueta),
          flush=True)


def verificador(colas, inicio, ruta):
    """Junta los tres resultados de cada timestamp y agrega un bloque."""
    cadena = []
    nuevo_bloque(cadena, inicio, {}, ruta)  # bloque génesis, sin datos
    pendientes = {}  # timestamp -> {tipo: resultado}
    activas = dict(colas)
    while activas:
        # get() bloqueante en cada cola por turno: nada de empty()/poll()
        for nombre in list(activas):
            resultado = activas[nombre].get()
            if resultado is None:
                del activas[nombre]
                continue
            ts = resultado["timestamp"]
            grupo = pendientes.setdefault(ts, {})
            grupo[resultado["tipo"]] = resultado
            if len(grupo) == len(ANALIZADORES):
                del pendientes[ts]
                datos = {}
                for tipo in ANALIZADORES:  # siempre el mismo orden
                    datos[tipo] = {"media": grupo[tipo]["media"],
                                   "desv": grupo[tipo]["desv"]}
                nuevo_bloque(cadena, ts, datos, ruta)
    if pendientes:
        print("Aviso: quedaron muestras incompletas: %s" % sorted(pendientes),
              file=sys.stderr, flush=True)
    print("Verificador: %d bloques (génesis + %d con datos) en %s"
          % (len(cadena), len(cadena) - 1, os.path.relpath(ruta, DIR_BASE)),
          flush=True)


# ----------------------------------------------------------------------
# Generador (proceso principal)
# ----------------------------------------------------------------------
def generar_muestra(i):
    oxigeno = (random.randint(80, 85) if i in ANOMALIA_OXIGENO
               else random.randint(90, 100))
    return {
        "timestamp": ahora(),
        "frecuencia": random.randint(60, 180),
        "presion": [random.randint(110, 180), random.randint(70, 110)],
        "oxigeno": oxigeno,
    }


def main():
    os.makedirs(DIR_SALIDA, exist_ok=True)
    if os.path.exists(RUTA_CADENA):  # nunca seguir la cadena de otra corrida
        os.remove(RUTA_CADENA)
    inicio = ahora()

    colas = {nombre: mp.Queue() for nombre in ANALIZADORES}
    # El verificador arranca ANTES de crear los pipes: así no hereda
    # (con fork) ningún extremo de escritura.
    verif = mp.Process(target=verificador, name="verificador",
                       args=(colas, inicio, RUTA_CADENA))
    verif.start()

    pipes = {nombre: mp.Pipe(duplex=False) for nombre in ANALIZADORES}
    procesos = []
    for nombre in ANALIZADORES:
        lector = pipes[nombre][0]
        ajenos = [extremo for par in pipes.values() for extremo in par
                  if extremo is not lector]
        p = mp.Process(target=analizador, name=nombre,
                       args=(nombre, lector, ajenos, colas[nombre]))
        p.start()
        procesos.append(p)
    for lector, _ in pipes.values():  # el padre sólo escribe
        lector.close()
    escritores = [escritor for _, escritor in pipes.values()]

    try:
        for i in range(N_MUESTRAS):
            time.sleep(1)  # una muestra por segundo (y timestamps distintos)
            muestra = generar_muestra(i)
            for escritor in escritores:
                escritor.send(muestra)
    finally:
        for escritor in escritores:
            try:
                escritor.send(None)  # marca de fin...
            except (BrokenPipeError, OSError):
                pass
            escritor.close()  # ...y además EOF

    for p in procesos:
        p.join()
    verif.join()
    fallidos = [p.name for p in procesos + [verif] if p.exitcode != 0]
    if fallidos:
        print("Terminaron con error: %s" % ", ".join(fallidos), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
