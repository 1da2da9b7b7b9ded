#!/usr/bin/env python3
# expect: pass
"""TP1: análisis biométrico concurrente con una cadena de bloques local.

El proceso principal genera una muestra por segundo (60 en total) y la manda
por un Pipe a cada uno de los tres analizadores; estos mandan sus resultados
al verificador por una única Queue compartida. El verificador escribe
blockchain.json en el directorio actual.

Uso:  python3 sistema.py
"""

import multiprocessing
import os
import random
import time
from datetime import datetime

from analizadores import analizador, verificador
from cadena import ARCHIVO_CADENA, SENALES

CANTIDAD_MUESTRAS = 60
# Anomalía inyectada a propósito: en las muestras 20 a 34 la frecuencia
# sube a 210-230 y el oxígeno baja a 80-85, para que la alerta se active
# (cuando la media de oxígeno de la ventana baja de 90) y luego se apague.
ANOMALIA = range(20, 35)


def generar_muestra(numero):
    """Una muestra con el timestamp actual (precisión de segundos)."""
    muestra = {
        "timestamp": datetime.now().strftime("%Y-%m-%dT%H:%M:%S"),
        "frecuencia": random.randint(60, 180),
        "presion": [random.randint(110, 180), random.randint(70, 110)],
        "oxigeno": random.randint(90, 100),
    }
    if numero in ANOMALIA:
        muestra["frecuencia"] = random.randint(210, 230)
        muestra["oxigeno"] = random.randint(80, 85)
    return muestra


def main():
    ruta = os.path.join(os.getcwd(), ARCHIVO_CADENA)
    cola = multiprocessing.Queue()

    verif = multiprocessing.Process(target=verificador, name="verificador",
                                    args=(cola, ruta, len(SENALES)))
    verif.start()

    envios = []
    procesos = []
    for nombre in SENALES:
        lectura, escritura = multiprocessing.Pipe(duplex=False)
        proceso = multiprocessing.Process(target=analizador, name=nombre,
                                          args=(nombre, lectura, cola))
        proceso.start()
        lectura.close()  # el padre sólo escribe
        envios.append(escritura)
        procesos.append(proceso)

    for numero in range(CANTIDAD_MUESTRAS):
        if numero > 0:
            time.sleep(1)
        muestra = generar_muestra(numero)
        for escritura in envios:
            escritura.send(muestra)

    for escritura in envios:
        escritura.send(None)  # marcador de fin
        escritura.close()

    for proceso in procesos:
        proceso.join()
    verif.join()
    print("Listo: %d muestras procesadas, cadena en %s"
          % (CANTIDAD_MUESTRAS, ruta), flush=True)


if __name__ == "__main__":
    main()
