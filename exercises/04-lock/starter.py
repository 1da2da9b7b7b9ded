"""Ejercicio 04-lock: un contador compartido protegido con un Lock.

Implementar count_with_lock(n_procs, n_increments): lanzar n_procs procesos hijos que sumen 1,
n_increments veces cada uno, a UN contador en memoria compartida de multiprocessing (por ejemplo,
multiprocessing.Value), tomando un multiprocessing.Lock (o el lock propio del Value, get_lock())
alrededor de cada incremento completo: leer, sumar y escribir. Esperar a todos los hijos con join()
y devolver el valor final.

Recordatorios (ver README.es.md):
- El corrector importa este archivo, y con spawn/forkserver cada hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones; el contador y el lock se crean dentro de la función.
- La función que ejecuta cada hijo se define en el nivel superior del módulo (no lambdas ni
  funciones anidadas), para que funcione con fork, spawn y forkserver.
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing


def count_with_lock(n_procs: int, n_increments: int) -> int:
    """Devuelve el valor final de un contador compartido incrementado por n_procs procesos.

    Cada uno de los n_procs procesos hijos suma 1 al mismo contador n_increments veces, con el
    lock tomado durante cada incremento. La función vuelve recién cuando todos los hijos
    terminaron (join), y el resultado esperado es n_procs * n_increments.

    Ejemplo: count_with_lock(4, 1000) devuelve 4000.
    """
    raise NotImplementedError("implementar count_with_lock")


if __name__ == "__main__":
    print(count_with_lock(4, 1000))
