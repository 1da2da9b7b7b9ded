"""Ejercicio 06-histogram: un histograma contado en paralelo sobre un Array compartido.

Implementar parallel_histogram(data, n_bins, n_workers): repartir data entre exactamente n_workers
procesos trabajadores (Process, o un Pool(n_workers)); cada uno cuenta su parte y SUMA sus cuentas
a UN multiprocessing.Array de n_bins enteros, creado por el padre y compartido por todos, con un
lock de multiprocessing tomado en cada actualización (counts.get_lock(), o un multiprocessing.Lock
que comparten todos). El padre espera a todos con join() y devuelve list(counts).

Recordatorios (ver README.es.md):
- counts[v] += 1 es leer y después escribir: sin el lock tomado alrededor de las dos, se pierden
  cuentas. Sumar (+=), no asignar (=): asignar borra lo que escribieron los otros trabajadores.
- Contar primero en una lista local y sumarla al Array una vez, con el lock, es lo más rápido.
- El corrector importa este archivo, y con spawn/forkserver cada hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones; el Array y el lock se crean dentro de la función.
- La función que ejecuta cada trabajador se define en el nivel superior del módulo (no lambdas ni
  funciones anidadas), para que funcione con fork, spawn y forkserver.
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing


def parallel_histogram(data: list, n_bins: int, n_workers: int) -> list:
    """Devuelve el histograma de data: una lista de n_bins cuentas, contada en paralelo.

    Cada valor v de data está en [0, n_bins) y se cuenta en el casillero v. Se usan exactamente
    n_workers procesos trabajadores (aunque alguno no reciba valores); las cuentas terminan en un
    multiprocessing.Array compartido, y la función vuelve recién cuando todos los trabajadores
    terminaron (join).

    Ejemplo: parallel_histogram([0, 2, 1, 2, 2, 0], 3, 2) devuelve [2, 1, 3].
    """
    raise NotImplementedError("implementar parallel_histogram")


if __name__ == "__main__":
    print(parallel_histogram([0, 2, 1, 2, 2, 0], 3, 2))
