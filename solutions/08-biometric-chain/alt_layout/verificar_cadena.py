#!/usr/bin/env python3
"""Verifica blockchain.json y escribe reporte.txt.

Recalcula el hash de cada bloque con la misma fórmula que sistema.py
(cadena.calcular_hash) y comprueba que cada hash_anterior sea el hash del
bloque anterior. Imprime los bloques corruptos por índice.

Uso:  python3 verificar_cadena.py
"""

import json
import sys

from cadena import ARCHIVO_CADENA, HASH_INICIAL, SENALES, calcular_hash

ARCHIVO_REPORTE = "reporte.txt"


def problemas_de_bloque(indice, bloque, hash_previo):
    """Lista de problemas (texto) de un bloque; vacía si está bien."""
    problemas = []
    try:
        calculado = calcular_hash(bloque["timestamp"], bloque["datos"],
                                  bloque["hash_anterior"])
    except (KeyError, TypeError) as error:
        return ["estructura inválida (%r)" % (error,)]
    if calculado != bloque.get("hash"):
        problemas.append("hash no coincide")
    if bloque["hash_anterior"] != hash_previo:
        if indice == 0:
            problemas.append("hash_anterior no es el inicial (64 ceros)")
        else:
            problemas.append("hash_anterior no coincide con el hash del "
                             "bloque %d" % (indice - 1))
    return problemas


def promedio(valores):
    return sum(valores) / len(valores) if valores else 0.0


def main():
    try:
        with open(ARCHIVO_CADENA, encoding="utf-8") as archivo:
            cadena = json.load(archivo)
    except (OSError, ValueError) as error:
        print("No se pudo leer %s: %s" % (ARCHIVO_CADENA, error))
        return 2

    corruptos = []
    hash_previo = HASH_INICIAL
    for indice, bloque in enumerate(cadena):
        problemas = problemas_de_bloque(indice, bloque, hash_previo)
        if problemas:
            corruptos.append(indice)
            print("Bloque %d corrupto: %s" % (indice, "; ".join(problemas)))
        hash_previo = bloque.get("hash") if isinstance(bloque, dict) else None

    if corruptos:
        print("Cadena CORRUPTA: %d de %d bloques corruptos (índices: %s)"
              % (len(corruptos), len(cadena),
                 ", ".join(str(i) for i in corruptos)))
    else:
        print("Cadena íntegra: %d bloques verificados, todos los hashes "
              "coinciden." % len(cadena))

    medias = {senal: [] for senal in SENALES}
    con_alerta = 0
    for bloque in cadena:
        try:
            for senal in SENALES:
                medias[senal].append(float(bloque["datos"][senal]["media"]))
            if bloque.get("alerta") is True:
                con_alerta += 1
        except (KeyError, TypeError, ValueError):
            pass  # el bloque ya figura como corrupto

    lineas = [
        "Total de bloques: %d" % len(cadena),
        "Bloques con alerta: %d" % con_alerta,
        "Promedio de frecuencia: %.2f" % promedio(medias["frecuencia"]),
        "Promedio de presión: %.2f" % promedio(medias["presion"]),
        "Promedio de oxígeno: %.2f" % promedio(medias["oxigeno"]),
    ]
    if corruptos:
        lineas.append("Cantidad de bloques corruptos: %d" % len(corruptos))
        lineas.append("Índices: %s" % ", ".join(str(i) for i in corruptos))
    with open(ARCHIVO_REPORTE, "w", encoding="utf-8") as archivo:
        archivo.write("\n".join(lineas) + "\n")
    print("Reporte escrito en %s" % ARCHIVO_REPORTE)
    return 1 if corruptos else 0


if __name__ == "__main__":
    sys.exit(main())
