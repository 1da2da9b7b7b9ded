"""Ejercicio 05-pool: contar primos en paralelo con un multiprocessing.Pool.

Implementar count_primes(limit, n_workers): devolver cuántos primos p cumplen p < limit, con los
números probados por los trabajadores de UN multiprocessing.Pool de n_workers procesos.

Forma sugerida:
- Partir range(0, limit) en rangos semiabiertos [lo, hi) (al menos n_workers), de modo que cada
  número caiga en exactamente un rango; por ejemplo, bordes limit * i // n para i = 0..n.
- Una función de nivel superior que cuente los primos de un rango y devuelva ese número.
- with multiprocessing.Pool(n_workers) as pool: sumar pool.map(esa_funcion, rangos).

Recordatorios (ver README.es.md):
- El corrector importa este archivo, y con spawn/forkserver cada hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones; el pool se crea dentro de la función, una sola vez.
- Procesos, no hilos: ThreadPool y multiprocessing.dummy no sirven (el GIL).
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing


def count_primes(limit: int, n_workers: int) -> int:
    """Devuelve la cantidad de primos menores que limit, contados por un Pool de n_workers procesos.

    limit no se incluye aunque sea primo. Con limit <= 2 la respuesta es 0.

    Ejemplo: count_primes(30, 3) devuelve 10 (2, 3, 5, 7, 11, 13, 17, 19, 23, 29).
    """
    raise NotImplementedError("implementar count_primes")


if __name__ == "__main__":
    print(count_primes(30, 3))        # 10
    print(count_primes(300000, 3))    # 25997
