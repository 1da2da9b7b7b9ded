"""Ejercicio 01-processes: lanzar n procesos a la vez y devolver sus PIDs.

Implementar run_workers(n, task): arrancar n procesos hijos con multiprocessing.Process, donde el
hijo i llama a task(i) una sola vez. Arrancar TODOS (start) antes de esperar (join) a ninguno, para
que corran al mismo tiempo. Esperar a todos y devolver la lista de sus PIDs: el elemento i es el
PID del hijo que ejecutó task(i) (en el padre, p.pid, que existe después de p.start()).

Recordatorios (ver README.es.md):
- task la da el corrector y se puede pasar directamente como target: Process(target=task,
  args=(i,)). Process(target=task(i)) la ejecutaría en el padre.
- El corrector importa este archivo, y con spawn/forkserver cada hijo lo vuelve a importar: a nivel
  de módulo dejar solo imports y definiciones.
- Una función propia para los hijos va en el nivel superior del módulo (no lambdas ni funciones
  anidadas), para que funcione con fork, spawn y forkserver.
- Solo biblioteca estándar, Python 3.9 o posterior.
"""

import multiprocessing
import os
import time


def run_workers(n: int, task) -> list[int]:
    """Ejecuta task(0), ..., task(n - 1), cada una en un proceso hijo propio, todas a la vez.

    Devuelve la lista de los n PIDs de los hijos, en orden: el elemento i es el PID del proceso
    que ejecutó task(i). Vuelve recién cuando todos los hijos terminaron (join).

    Ejemplo: run_workers(3, tarea) puede devolver [41236, 41237, 41238].
    """
    raise NotImplementedError("implementar run_workers")


def _tarea_de_prueba(i):
    """Solo para probar a mano: muestra en qué proceso corre y tarda medio segundo."""
    print(f"tarea {i} en el proceso {os.getpid()}")
    time.sleep(0.5)


if __name__ == "__main__":
    inicio = time.time()
    pids = run_workers(3, _tarea_de_prueba)
    print("PIDs devueltos:", pids, "- PID del padre:", os.getpid())
    print(f"tardó {time.time() - inicio:.2f} s (a la vez: cerca de 0.5 s; una tras otra: 1.5 s)")
