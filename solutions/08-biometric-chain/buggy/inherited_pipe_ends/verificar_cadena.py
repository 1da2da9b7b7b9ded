"""Verifica blockchain.json y escribe reporte.txt.

Uso: python3 verificar_cadena.py [ruta de blockchain.json]   (por defecto, la de esta carpeta)
Sale con código 1 si encontró bloques corruptos.
"""
import hashlib
import json
import sys

GENESIS = "0" * 64
TIPOS = ("frecuencia", "presion", "oxigeno")


def calcular_hash(prev_hash, datos, timestamp):
    # La misma fórmula que main.py: si difieren, todos los bloques parecen corruptos.
    return hashlib.sha256((prev_hash + str(datos) + timestamp).encode("utf-8")).hexdigest()


def problemas_de(cadena):
    """Lista de (índice, motivo) de los bloques corruptos."""
    problemas = []
    for i, bloque in enumerate(cadena):
        esperado_prev = cadena[i - 1]["hash"] if i > 0 else GENESIS
        if bloque["prev_hash"] != esperado_prev:
            problemas.append((i, "prev_hash no es el hash del bloque anterior"))
        recalculado = calcular_hash(bloque["prev_hash"], bloque["datos"], bloque["timestamp"])
        if recalculado != bloque["hash"]:
            problemas.append((i, "el hash no coincide con su contenido"))
    return problemas


def main():
    ruta = sys.argv[1] if len(sys.argv) > 1 else "blockchain.json"
    with open(ruta, encoding="utf-8") as f:
        cadena = json.load(f)

    problemas = problemas_de(cadena)
    for i, motivo in problemas:
        print(f"Bloque {i} CORRUPTO: {motivo}")
    corruptos = sorted({i for i, _ in problemas})
    if corruptos:
        print(f"Cadena inválida: {len(corruptos)} bloque(s) corrupto(s)")
    else:
        print(f"Cadena íntegra: {len(cadena)} bloques verificados")

    n = len(cadena)
    alertas = sum(1 for b in cadena if b["alerta"])
    lineas = [f"Total de bloques: {n}", f"Bloques con alerta: {alertas}"]
    for tipo, nombre in zip(TIPOS, ("frecuencia", "presión sistólica", "oxígeno")):
        promedio = sum(b["datos"][tipo]["media"] for b in cadena) / n if n else 0.0
        lineas.append(f"Promedio de {nombre}: {promedio:.2f}")
    # Cantidad e índices por separado: "corruptos: 5" solo no dice si son cinco o el bloque 5.
    lineas.append(f"Cantidad de bloques corruptos: {len(corruptos)}")
    lineas.append("Índices de bloques corruptos: "
                  + (", ".join(map(str, corruptos)) if corruptos else "ninguno"))
    with open("reporte.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(lineas) + "\n")
    print("Reporte escrito en reporte.txt")
    sys.exit(1 if corruptos else 0)


if __name__ == "__main__":
    main()
