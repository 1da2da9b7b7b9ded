"""Funciones compartidas por sistema.py (verificador) y verificar_cadena.py.

La cadena usa SIEMPRE la misma fórmula de hash:

    sha256(timestamp + json.dumps(datos, sort_keys=True) + hash_anterior)

Tenerla en un solo lugar evita que el programa y el verificador calculen
el hash de maneras distintas.
"""

import hashlib
import json

HASH_INICIAL = "0" * 64
ARCHIVO_CADENA = "blockchain.json"
SENALES = ("frecuencia", "presion", "oxigeno")


def calcular_hash(timestamp, datos, hash_anterior):
    """Hash SHA-256 (hex) de un bloque a partir de sus partes."""
    texto = timestamp + json.dumps(datos, sort_keys=True) + hash_anterior
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


def hay_alerta(datos):
    """Alerta calculada a partir de las medias guardadas en el bloque.

    Frecuencia >= 200, oxígeno fuera de 90-100 o sistólica >= 200.
    Se recalcula para cada bloque (nunca queda "pegada").
    """
    frecuencia = datos["frecuencia"]["media"]
    sistolica = datos["presion"]["media"]
    oxigeno = datos["oxigeno"]["media"]
    return frecuencia >= 200 or not (90 <= oxigeno <= 100) or sistolica >= 200
