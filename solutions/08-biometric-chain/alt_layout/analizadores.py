"""Código de los procesos hijos: los tres analizadores y el verificador.

Las funciones están al nivel superior del módulo para que funcionen con
los métodos de arranque fork, spawn y forkserver.
"""

import collections
import json
import os
import statistics

from cadena import HASH_INICIAL, SENALES, calcular_hash, hay_alerta

VENTANA = 30


def valor_de_senal(nombre, muestra):
    """Extrae de la muestra completa el valor que analiza cada analizador."""
    if nombre == "presion":
        return muestra["presion"][0]  # se analiza la sistólica
    return muestra[nombre]


def analizador(nombre, conexion, cola):
    """Recibe muestras por su Pipe y manda media y desviación a la cola.

    Se bloquea en recv() hasta recibir una muestra; None marca el final.
    """
    ventana = collections.deque(maxlen=VENTANA)
    while True:
        muestra = conexion.recv()
        if muestra is None:
            break
        ventana.append(valor_de_senal(nombre, muestra))
        media = statistics.fmean(ventana)
        desv = statistics.pstdev(ventana)  # desviación poblacional
        cola.put({
            "tipo": nombre,
            "timestamp": muestra["timestamp"],
            "media": round(media, 2),
            "desv": round(desv, 2),
        })
    conexion.close()
    cola.put({"tipo": nombre, "fin": True})  # marcador de fin para el verificador


def guardar_cadena(cadena, ruta):
    """Reescribe la cadena completa de forma atómica (temporal + os.replace)."""
    temporal = "%s.tmp.%d" % (ruta, os.getpid())
    with open(temporal, "w", encoding="utf-8") as archivo:
        json.dump(cadena, archivo, ensure_ascii=False, indent=2)
    os.replace(temporal, ruta)


def verificador(cola, ruta, cantidad_analizadores):
    """Agrupa los resultados por timestamp y arma un bloque por muestra."""
    cadena = []
    guardar_cadena(cadena, ruta)  # siempre se empieza con una cadena vacía
    pendientes = {}  # timestamp -> {tipo: resultado}
    terminados = 0
    while terminados < cantidad_analizadores:
        resultado = cola.get()  # espera bloqueada, sin consumir CPU
        if resultado.get("fin"):
            terminados += 1
            continue
        grupo = pendientes.setdefault(resultado["timestamp"], {})
        grupo[resultado["tipo"]] = resultado
        if len(grupo) < len(SENALES):
            continue
        timestamp = resultado["timestamp"]
        del pendientes[timestamp]
        datos = {}
        for senal in SENALES:  # siempre en el mismo orden
            datos[senal] = {"media": grupo[senal]["media"],
                            "desv": grupo[senal]["desv"]}
        hash_anterior = cadena[-1]["hash"] if cadena else HASH_INICIAL
        bloque = {
            "timestamp": timestamp,
            "datos": datos,
            "alerta": hay_alerta(datos),
            "hash_anterior": hash_anterior,
            "hash": calcular_hash(timestamp, datos, hash_anterior),
        }
        cadena.append(bloque)
        guardar_cadena(cadena, ruta)
        print("Bloque %2d | hash %s | alerta: %s"
              % (len(cadena) - 1, bloque["hash"],
                 "SÍ" if bloque["alerta"] else "no"), flush=True)
    if pendientes:
        print("Aviso: %d muestras quedaron incompletas" % len(pendientes),
              flush=True)
