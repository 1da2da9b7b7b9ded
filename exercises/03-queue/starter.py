"""Ejercicio 03-queue: un map paralelo con procesos trabajadores y dos Queue.

Implementar parallel_map(fn, items, n_workers): devolver la misma lista que
[fn(x) for x in items], pero calculada por n_workers procesos hijos.

- Crear dentro de la función dos multiprocessing.Queue: una de tareas y una de resultados.
- Cada trabajador repite: sacar (indice, elemento) de la cola de tareas y poner
  (indice, fn(elemento)) en la de resultados; termina al sacar un centinela (por ejemplo None).
- El padre pone todos los pares (indice, elemento) y después UN centinela POR trabajador.
- El padre saca exactamente len(items) resultados, ubica cada uno en su índice y recién después
  hace join() de todos los trabajadores (leer antes de join: con resultados grandes, un join
  previo se bloquea para siempre).

Recordatorios (ver README.es.md):
- El corrector importa este archivo, y con spawn/forkserver cada hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones; colas y procesos se crean dentro de la función.
- La función que ejecuta cada trabajador se define en el nivel superior del módulo (no lambdas ni
  funciones anidadas), y fn le llega como argumento.
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing
import time


def parallel_map(fn, items: list, n_workers: int) -> list:
    """Devuelve [fn(x) for x in items], con las llamadas a fn hechas por n_workers procesos hijos.

    El resultado respeta el orden de items aunque los trabajadores terminen en otro orden.
    Con items vacía devuelve []. n_workers puede ser mayor que len(items).

    Ejemplo: parallel_map(cuadrado, [5, 6, 7], 2) devuelve [25, 36, 49].
    """
    raise NotImplementedError("implementar parallel_map")


def _prueba(x):
    """Función de prueba: el elemento 0 tarda más y cada resultado ocupa 1 MB."""
    time.sleep(0.3 if x == 0 else 0.02)
    return bytes([x % 256]) * (1 << 20)


if __name__ == "__main__":
    salida = parallel_map(_prueba, list(range(12)), 4)
    esperado = [bytes([i]) * (1 << 20) for i in range(12)]
    print(salida == esperado)  # True: en orden, aunque el 0 termina último
