#!/usr/bin/env python3
"""Verifica salida/blockchain.json y escribe salida/reporte.txt.

Uso: python3 verificar_cadena.py [ruta/a/blockchain.json]
(sin argumento usa salida/blockchain.json; el reporte queda en la misma
carpeta que la cadena).

Usa EXACTAMENTE la misma fórmula de hash que main.py (la importa de ahí):
sha256 de json.dumps(bloque sin "hash", sort_keys=True, separators=(",", ":")).
"""
import json
import os
import sys

from main import DIR_SALIDA, HASH_CERO, calcular_hash, hay_alerta

SENALES = ("frecuencia", "presion", "oxigeno")
CLAVES = ("timestamp", "datos", "alerta", "previous_hash", "hash")


def problemas_del_bloque(i, bloque, anterior):
    """Devuelve la lista de problemas del bloque i (vacía si está bien)."""
    if not isinstance(bloque, dict):
        return ["no es un objeto JSON"]
    faltan = [k for k in CLAVES if k not in bloque]
    if faltan:
        return ["faltan las claves %s" % ", ".join(faltan)]
    problemas = []
    esperado = HASH_CERO if anterior is None else anterior.get("hash")
    if i == 0 and bloque["previous_hash"] is None:
        esperado = None  # también se acepta null en el primero
    if bloque["previous_hash"] != esperado:
        if i == 0:
            problemas.append('previous_hash del primer bloque no es "0"*64')
        else:
            problemas.append("previous_hash no coincide con el hash del bloque %d"
                             % (i - 1))
    if calcular_hash(bloque) != bloque["hash"]:
        problemas.append("hash inválido (no corresponde al contenido)")
    try:
        if bool(bloque["alerta"]) != hay_alerta(bloque["datos"]):
            problemas.append("alerta no coincide con los datos")
    except (KeyError, TypeError):
        problemas.append("datos mal formados")
    return problemas


def promedio(bloques, senal):
    medias = []
    for b in bloques:
        try:
            medias.append(float(b["datos"][senal]["media"]))
        except (KeyError, TypeError, ValueError):
            pass
    return sum(medias) / len(medias) if medias else 0.0


def main():
    ruta = sys.argv[1] if len(sys.argv) > 1 else os.path.join(DIR_SALIDA, "blockchain.json")
    with open(ruta, encoding="utf-8") as f:
        cadena = json.load(f)
    if not isinstance(cadena, list):
        print("El archivo no contiene una lista de bloques")
        return 2

    corruptos = []
    for i, bloque in enumerate(cadena):
        anterior = cadena[i - 1] if i > 0 else None
        problemas = problemas_del_bloque(i, bloque, anterior)
        if problemas:
            corruptos.append(i)
            for p in problemas:
                print("bloque %d: %s" % (i, p))

    # El bloque génesis (sin datos) no cuenta como bloque de datos.
    con_datos = [b for b in cadena if isinstance(b, dict) and b.get("datos")]
    alertas = sum(1 for b in con_datos if b.get("alerta") is True)

    lineas = [
        "Total de bloques: %d" % len(con_datos),
        "Bloques con alerta: %d" % alertas,
        "Promedio de frecuencia: %.2f" % promedio(con_datos, "frecuencia"),
        "Promedio de presión: %.2f" % promedio(con_datos, "presion"),
        "Promedio de oxígeno: %.2f" % promedio(con_datos, "oxigeno"),
        "Cantidad de bloques corruptos: %d" % len(corruptos),
        "Índices: %s" % (", ".join(str(i) for i in corruptos) if corruptos else "ninguno"),
    ]
    ruta_reporte = os.path.join(os.path.dirname(os.path.abspath(ruta)), "reporte.txt")
    with open(ruta_reporte, "w", encoding="utf-8") as f:
        f.write("\n".join(lineas) + "\n")

    if corruptos:
        print("Cadena CORRUPTA: %d bloque(s) con problemas, índices %s"
              % (len(corruptos), ", ".join(str(i) for i in corruptos)))
    else:
        print("Cadena íntegra: los %d bloques (génesis + %d con datos) verifican."
              % (len(cadena), len(con_datos)))
    print("Reporte escrito en %s" % ruta_reporte)
    return 1 if corruptos else 0


if __name__ == "__main__":
    sys.exit(main())
